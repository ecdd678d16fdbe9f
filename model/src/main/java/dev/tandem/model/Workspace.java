package dev.tandem.model;

import dev.tandem.model.kernel.ActivationBuffer;
import dev.tandem.model.kernel.Kernels;

/**
 * Scratch for one forward pass of up to {@code rows} token rows, allocated once per model thread so
 * that the decode path allocates nothing per layer.
 */
final class Workspace {
  final int rows;
  final int[] tokens; // [rows]
  final int[] positions; // [rows]
  final int[] logitRows; // [rows]: which rows feed the output head
  final ActivationBuffer x; // [rows, dim] residual stream
  final ActivationBuffer xb; // [rows, dim] normed input of a sub-layer
  final ActivationBuffer q; // [rows, nHeads * headDim]
  final ActivationBuffer k; // [rows, nKvHeads * headDim]
  final ActivationBuffer v; // [rows, nKvHeads * headDim]
  final ActivationBuffer att; // [rows, nHeads * headDim] attention output
  final ActivationBuffer proj; // [rows, dim] o_proj / down_proj output
  final ActivationBuffer gate; // [rows, ffn]
  final ActivationBuffer up; // [rows, ffn]
  final ActivationBuffer headIn; // [rows, dim] rows gathered for the output head
  final ActivationBuffer logits; // [rows, vocab]
  final float[] hostLogits; // [rows * vocab]

  Workspace(Kernels kernels, ModelConfig c, int rows) {
    this.rows = rows;
    tokens = new int[rows];
    positions = new int[rows];
    logitRows = new int[rows];
    x = kernels.buffer(rows, c.hiddenSize());
    xb = kernels.buffer(rows, c.hiddenSize());
    q = kernels.buffer(rows, c.qDim());
    k = kernels.buffer(rows, c.kvDim());
    v = kernels.buffer(rows, c.kvDim());
    att = kernels.buffer(rows, c.qDim());
    proj = kernels.buffer(rows, c.hiddenSize());
    gate = kernels.buffer(rows, c.intermediateSize());
    up = kernels.buffer(rows, c.intermediateSize());
    headIn = kernels.buffer(rows, c.hiddenSize());
    logits = kernels.buffer(rows, c.vocabSize());
    hostLogits = new float[rows * c.vocabSize()];
  }
}
