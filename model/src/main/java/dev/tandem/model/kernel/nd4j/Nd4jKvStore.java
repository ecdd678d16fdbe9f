package dev.tandem.model.kernel.nd4j;

import dev.tandem.model.kernel.KvStore;
import java.lang.foreign.MemorySegment;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One sequence's keys and values as ND4J arrays, {@code [capacity, kvDim]} per layer each, with the
 * attention scratch of that sequence (used by one forward pass at a time, like the store).
 */
final class Nd4jKvStore implements KvStore {
  final INDArray[] keys; // [layers] of [capacity, kvDim]
  final INDArray[] values; // [layers] of [capacity, kvDim]
  final MemorySegment[] hostKeys; // same memory on the host (CPU only), else null
  final MemorySegment[] hostValues;
  final float[] scores; // host path scratch: one row of attention weights, [capacity]
  final float[] query; // host path scratch: one query head, [>= headDim]
  final float[] acc; // host path scratch: one output head, [>= headDim]
  private final int capacity;
  private final int kvDim;

  // ND4J-op path scratch, flat, grown to the largest (rows x heads) seen; views are cut per call.
  private INDArray queryScratch; // [count * nHeads * headDim]
  private INDArray scoreScratch; // [nHeads * count * capacity]
  private INDArray outScratch; // [count * nHeads * headDim]

  Nd4jKvStore(int layers, int capacity, int kvDim, boolean hostAccess) {
    if (layers <= 0 || capacity <= 0 || kvDim <= 0) {
      throw new IllegalArgumentException(
          "KV store shape must be positive, got layers="
              + layers
              + " capacity="
              + capacity
              + " kvDim="
              + kvDim);
    }
    this.capacity = capacity;
    this.kvDim = kvDim;
    keys = new INDArray[layers];
    values = new INDArray[layers];
    hostKeys = new MemorySegment[layers];
    hostValues = new MemorySegment[layers];
    for (int l = 0; l < layers; l++) {
      keys[l] = Nd4j.zeros(DataType.FLOAT, capacity, kvDim);
      values[l] = Nd4j.zeros(DataType.FLOAT, capacity, kvDim);
      if (hostAccess) {
        hostKeys[l] = Nd4jMemory.hostSegment(keys[l]);
        hostValues[l] = Nd4jMemory.hostSegment(values[l]);
      }
    }
    scores = hostAccess ? new float[capacity] : null;
    query = hostAccess ? new float[kvDim] : null; // headDim <= kvDim
    acc = hostAccess ? new float[kvDim] : null;
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

  /** A c-order view of {@code shape} over the query scratch, growing it if needed. */
  INDArray queryScratch(long... shape) {
    queryScratch = grow(queryScratch, shape);
    return cut(queryScratch, shape);
  }

  INDArray scoreScratch(long... shape) {
    scoreScratch = grow(scoreScratch, shape);
    return cut(scoreScratch, shape);
  }

  INDArray outScratch(long... shape) {
    outScratch = grow(outScratch, shape);
    return cut(outScratch, shape);
  }

  private static INDArray grow(INDArray flat, long[] shape) {
    long needed = length(shape);
    return flat != null && flat.length() >= needed ? flat : Nd4j.zeros(DataType.FLOAT, needed);
  }

  private static INDArray cut(INDArray flat, long[] shape) {
    return flat.get(NDArrayIndex.interval(0, length(shape))).reshape('c', shape);
  }

  private static long length(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }
}
