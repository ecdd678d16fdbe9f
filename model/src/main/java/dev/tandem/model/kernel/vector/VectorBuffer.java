package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.ActivationBuffer;

/** Activations on the Java heap: {@code float[rowCapacity * cols]}, row-major. */
final class VectorBuffer implements ActivationBuffer {
  final float[] data;
  private final int rowCapacity;
  private final int cols;

  private float[] evenOdd; // same shape, allocated on first BF16 matmul from this buffer

  /** Rows [0, n) in the BF16 kernel's column order (see LinearKernels.evenOdd). */
  float[] evenOdd(int n) {
    if (evenOdd == null) {
      evenOdd = new float[data.length];
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
