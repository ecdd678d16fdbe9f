package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.KvStore;

/** Keys and values on the Java heap, one {@code float[capacity * kvDim]} per layer each. */
final class VectorKvStore implements KvStore {
  final float[][] keys; // [layers][capacity * kvDim]
  final float[][] values; // [layers][capacity * kvDim]
  final float[] scores; // scratch: one row of attention weights, [capacity]
  private final int capacity;
  private final int kvDim;

  VectorKvStore(int layers, int capacity, int kvDim) {
    this.capacity = capacity;
    this.kvDim = kvDim;
    int size = Math.multiplyExact(capacity, kvDim);
    keys = new float[layers][size];
    values = new float[layers][size];
    scores = new float[capacity];
  }

  @Override
  public int layers() {
    return keys.length;
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public int kvDim() {
    return kvDim;
  }
}
