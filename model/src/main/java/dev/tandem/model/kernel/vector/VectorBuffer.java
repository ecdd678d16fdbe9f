package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.ActivationBuffer;

/** Activations on the Java heap: {@code float[rowCapacity * cols]}, row-major. */
final class VectorBuffer implements ActivationBuffer {
  final float[] data;
  private final int rowCapacity;
  private final int cols;

  // [rowCapacity + 1, cols], allocated on the first BF16 matmul from this buffer; the extra last
  // row stays zero (padding rows of the BF16 kernel read it)
  private float[] evenOdd;

  /** Rows [0, n) in the BF16 kernel's column order (see LinearKernels.evenOdd). */
  float[] evenOdd(int n) {
    if (evenOdd == null) {
      evenOdd = new float[data.length + cols];
    }
    LinearKernels.evenOdd(data, n, cols, evenOdd);
    return evenOdd;
  }

  VectorBuffer(int rowCapacity, int cols) {
    this.rowCapacity = rowCapacity;
    this.cols = cols;
    this.data = new float[Math.multiplyExact(rowCapacity, cols)];
  }

  @Override
  public int rowCapacity() {
    return rowCapacity;
  }

  @Override
  public int cols() {
    return cols;
  }
}
