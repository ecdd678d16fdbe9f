package dev.tandem.model.kernel.nd4j;

import dev.tandem.model.kernel.TensorData;
import java.lang.foreign.MemorySegment;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Moving float32 data between Java memory segments and ND4J arrays.
 *
 * <p>Zero-copy in both directions on the CPU: an F32 slice of the memory-mapped weights file
 * becomes an {@code INDArray} through a JavaCPP pointer at the slice's address ({@code
 * Nd4j.createBuffer(ByteBuffer, ...)} would copy), and an ND4J-allocated array's host memory is
 * seen as a {@link MemorySegment} so that fused Java loops can work on it in place. Neither works
 * on CUDA, where an array's data lives on the device: there weights are copied in through ND4J.
 */
final class Nd4jMemory {
  private Nd4jMemory() {}

  /** A raw address as a JavaCPP pointer; owns nothing, frees nothing. */
  private static final class Address extends Pointer {
    Address(long address, long bytes) {
      this.address = address;
      this.limit = bytes;
      this.capacity = bytes;
    }
  }

  /**
   * The F32 little-endian memory of {@code segment} as a c-order {@code [rows, cols]} array,
   * without copying (CPU only). Unaligned addresses work (safetensors headers are not aligned). The
   * caller keeps the segment's arena open for the array's lifetime.
   */
  static INDArray wrapF32(MemorySegment segment, int rows, int cols) {
    long n = (long) rows * cols;
    if (segment.byteSize() != n * 4) {
      throw new IllegalArgumentException(
          "segment of " + segment.byteSize() + " bytes for [" + rows + ", " + cols + "] floats");
    }
    FloatPointer pointer = new FloatPointer(new Address(segment.address(), segment.byteSize()));
    pointer.capacity(n);
    pointer.limit(n);
    DataBuffer buffer = Nd4j.createBuffer(pointer, DataType.FLOAT, n, FloatIndexer.create(pointer));
    return Nd4j.create(
        buffer, new long[] {rows, cols}, new long[] {cols, 1}, 0, 'c', DataType.FLOAT);
  }

  /** A copy of any tensor as a float32 c-order {@code [rows, cols]} array (widening F16/BF16). */
  static INDArray copyAsF32(TensorData t) {
    float[] values = new float[Math.toIntExact(t.numel())];
    for (int i = 0; i < values.length; i++) {
      values[i] = t.get(i);
    }
    return Nd4j.create(values, new long[] {t.rows(), t.cols()}, 'c');
  }

  /**
   * The host memory of a whole (not a view), c-order float32 array allocated by ND4J on the CPU, as
   * a segment of {@code length()} floats. Valid while the array is reachable.
   */
  static MemorySegment hostSegment(INDArray array) {
    if (array.isView() || array.ordering() != 'c' || array.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException(
          "need a whole c-order float32 array, got " + array.shapeInfoToString());
    }
    long address = array.data().addressPointer().address();
    return MemorySegment.ofAddress(address).reinterpret(array.length() * 4);
  }
}
