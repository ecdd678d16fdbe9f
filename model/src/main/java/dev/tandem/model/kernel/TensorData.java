package dev.tandem.model.kernel;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A tensor as stored in a weights file: its name, element type, shape and raw little-endian bytes
 * (usually a slice of a memory-mapped safetensors file, so not on the Java heap and not aligned).
 *
 * <p>The segment stays valid as long as the {@code Arena} that mapped it is open: the model owns
 * that arena and closes it in {@code Model.close()}; a backend that keeps a pointer into the
 * segment (zero-copy) may rely on that.
 *
 * @param name tensor name, e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param dtype element type
 * @param shape dimensions, outermost first (a {@code nn.Linear} weight is {@code [out, in]})
 * @param data exactly {@code dtype.byteSize(numel, cols)} bytes, little-endian, row-major (for a
 *     block-quantized dtype: each row is {@code cols / 32} blocks, see {@link BlockQuant})
 */
public record TensorData(String name, DType dtype, long[] shape, MemorySegment data) {

  public TensorData {
    long numel = 1;
    for (long d : shape) {
      numel *= d;
    }
    long cols = shape.length == 0 ? 1 : shape[shape.length - 1];
    if (dtype.quantized() && cols % dtype.blockSize() != 0) {
      throw new IllegalArgumentException(
          "tensor "
              + name
              + ": "
              + dtype
              + " needs a last dimension that is a multiple of "
              + dtype.blockSize()
              + ", got shape "
              + Arrays.toString(shape));
    }
    long expected = dtype.byteSize(numel, cols);
    if (data.byteSize() != expected) {
      throw new IllegalArgumentException(
          "tensor "
              + name
              + ": "
              + data.byteSize()
              + " bytes of data for shape "
              + Arrays.toString(shape)
              + " "
              + dtype
              + ", expected "
              + expected);
    }
  }

  /** Number of elements. */
  public long numel() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** Rows of a 2-D tensor, 1 for a 1-D one. */
  public int rows() {
    return shape.length == 1 ? 1 : Math.toIntExact(shape[0]);
  }

  /** Columns of a 2-D tensor, the length of a 1-D one. */
  public int cols() {
    return Math.toIntExact(shape[shape.length - 1]);
  }

  /** Element {@code i} (row-major) converted to float; slow, for tests and tools. */
  public float get(long i) {
    return switch (dtype) {
      case F32 -> data.get(Layouts.F32_LE, i * 4);
      case F16 -> Float.float16ToFloat(data.get(Layouts.I16_LE, i * 2));
      case BF16 -> Float.intBitsToFloat(data.get(Layouts.I16_LE, i * 2) << 16);
      case Q8_0, Q4_0 -> BlockQuant.dequantize(dtype, data, i);
    };
  }

  @Override
  public String toString() {
    return name + " " + dtype + Arrays.toString(shape);
  }
}
