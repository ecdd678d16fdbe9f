package dev.tandem.model.kernel;

/**
 * A weight tensor prepared by a {@link Kernels} backend from a {@link TensorData}: the backend
 * chooses its representation (e.g. the vector backend reads straight from the memory-mapped file;
 * ND4J wraps the same memory in an {@code INDArray}; CUDA copies it to the device). The forward
 * pass only passes weights back to the backend that made them.
 *
 * <p>Shape convention is the file's: a linear layer's weight is {@code [rows = out features, cols =
 * in features]} (PyTorch {@code nn.Linear}); an embedding table is {@code [vocab, dim]}; a norm
 * weight is 1-D, seen as {@code [1, dim]}.
 *
 * <p>Immutable and safe to share between threads.
 */
public interface Weight {

  /** Tensor name in the weights file, for error messages. */
  String name();

  /** Rows: output features of a linear layer, vocabulary size of an embedding table, 1 for 1-D. */
  int rows();

  /** Columns: input features of a linear layer, the hidden size of an embedding table. */
  int cols();
}
