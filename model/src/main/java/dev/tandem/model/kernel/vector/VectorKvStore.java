package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.KvStore;

/**
 * Keys and values on the Java heap. Keys are stored transposed, {@code [kvDim, capacity]} per layer
 * (feature-major), so that attention scores for one head are vector FMAs along positions with no
 * horizontal reductions; values are position-major {@code [capacity, kvDim]}.
 */
final class VectorKvStore implements KvStore {
  final float[][]
      keys; // [layers][kvDim * capacity]: key feature c of position t at c * capacity + t
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
