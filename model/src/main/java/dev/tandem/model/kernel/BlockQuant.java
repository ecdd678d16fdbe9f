package dev.tandem.model.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Quantizes float rows into GGUF's Q8_0 / Q4_0 blocks and reads them back, one scalar at a time:
 * the plain reference the Vector API kernels are tested against, and what quantize-at-load and
 * {@code tandem quantize} write. Blocks are byte-identical to ggml's reference quantizers ({@code
 * quantize_row_q8_0_ref}, {@code quantize_row_q4_0_ref}): float32 arithmetic in the same order, C's
 * {@code roundf} (halves away from zero) for Q8_0 and truncation of {@code x/d + 8.5} for Q4_0, the
 * scale rounded to float16 to nearest-even.
 *
 * <p>Error bounds per value x of a block with scale d (d16 = d rounded to float16): Q8_0 {@code |x
 * - x'| <= d16/2 + 127 |d - d16|} with {@code d = max|x| / 127}; Q4_0 {@code |x - x'| <= |d16|/2 +
 * 8 |d - d16|} with {@code d = -m / 8} (m the value of largest magnitude), except values of the
 * opposite sign to m and magnitude above {@code 7.5 |d|}, which clip to {@code 7 d} (error up to
 * {@code |d16| + 8 |d - d16|}).
 *
 * <p>Stateless; thread-safe.
 */
public final class BlockQuant {
  /** Values per block of both formats. */
  public static final int BLOCK = 32;

  private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

  private BlockQuant() {}

  /**
   * Quantizes {@code src[srcOff .. srcOff + cols)} into {@code cols / 32} blocks of {@code type} at
   * {@code dst[dstOff ..)}.
   *
   * @throws IllegalArgumentException unless {@code type} is Q8_0 or Q4_0 and 32 divides {@code
   *     cols}
   */
  public static void quantizeRow(
      DType type, float[] src, int srcOff, int cols, MemorySegment dst, long dstOff) {
    if (!type.quantized() || cols % BLOCK != 0) {
      throw new IllegalArgumentException(
          "cannot quantize a row of "
              + cols
              + " values to "
              + type
              + " (needs Q8_0/Q4_0, 32 | cols)");
    }
    for (int b = 0; b < cols / BLOCK; b++) {
      long at = dstOff + (long) b * type.blockBytes();
      int from = srcOff + b * BLOCK;
      if (type == DType.Q8_0) {
        q8Block(src, from, dst, at);
      } else {
        q4Block(src, from, dst, at);
      }
    }
  }

  // ggml quantize_row_q8_0_ref, one block
  private static void q8Block(float[] x, int from, MemorySegment dst, long at) {
    float amax = 0;
    for (int j = 0; j < BLOCK; j++) {
      amax = Math.max(amax, Math.abs(x[from + j]));
    }
    float d = amax / 127;
    float id = d != 0 ? 1.0f / d : 0.0f;
    dst.set(Layouts.I16_LE, at, Float.floatToFloat16(d));
    for (int j = 0; j < BLOCK; j++) {
      dst.set(BYTE, at + 2 + j, (byte) roundf(x[from + j] * id));
    }
  }

  // ggml quantize_row_q4_0_ref, one block
  private static void q4Block(float[] x, int from, MemorySegment dst, long at) {
    float amax = 0;
    float max = 0;
    for (int j = 0; j < BLOCK; j++) {
      float v = x[from + j];
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    float d = max / -8;
    float id = d != 0 ? 1.0f / d : 0.0f;
    dst.set(Layouts.I16_LE, at, Float.floatToFloat16(d));
    for (int j = 0; j < BLOCK / 2; j++) {
      int lo = Math.min(15, (byte) (int) (x[from + j] * id + 8.5f));
      int hi = Math.min(15, (byte) (int) (x[from + BLOCK / 2 + j] * id + 8.5f));
      dst.set(BYTE, at + 2 + j, (byte) (lo | hi << 4));
    }
  }

  /** C's roundf: nearest integer, halves away from zero (Math.round rounds -2.5 to -2). */
  private static float roundf(float v) {
    return (float) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
  }

  /** Value {@code index} (row-major over the whole tensor) of Q8_0 / Q4_0 data. */
  public static float dequantize(DType type, MemorySegment data, long index) {
    long at = index / BLOCK * type.blockBytes();
    int j = (int) (index % BLOCK);
    float d = Float.float16ToFloat(data.get(Layouts.I16_LE, at));
    return switch (type) {
      case Q8_0 -> d * data.get(BYTE, at + 2 + j);
      case Q4_0 -> {
        int packed = data.get(BYTE, at + 2 + j % 16) & 0xFF;
        yield d * ((j < 16 ? packed & 0xF : packed >>> 4) - 8);
      }
      default -> throw new IllegalArgumentException(type + " is not block-quantized");
    };
  }

  /**
   * {@code t} quantized to {@code type} into memory of {@code arena}: same name and shape.
   *
   * @throws IllegalArgumentException when {@code t} is not 2-D with a multiple of 32 columns
   */
  public static TensorData quantize(TensorData t, DType type, Arena arena) {
    if (t.shape().length != 2) {
      throw new IllegalArgumentException("tensor " + t + ": only 2-D weights are quantized");
    }
    int rows = t.rows();
    int cols = t.cols();
    long rowBytes = type.byteSize(cols, cols);
    MemorySegment out = arena.allocate(rowBytes * rows, 64);
    float[] row = new float[cols];
    for (int r = 0; r < rows; r++) {
      long base = (long) r * cols;
      for (int i = 0; i < cols; i++) {
        row[i] = t.get(base + i);
      }
      quantizeRow(type, row, 0, cols, out, r * rowBytes);
    }
    return new TensorData(t.name(), type, t.shape(), out);
  }
}
