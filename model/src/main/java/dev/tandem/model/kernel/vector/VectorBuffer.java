package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.ActivationBuffer;

/** Activations on the Java heap: {@code float[rowCapacity * cols]}, row-major. */
final class VectorBuffer implements ActivationBuffer {
  final float[] data;
  private final int rowCapacity;
  private final int cols;

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
