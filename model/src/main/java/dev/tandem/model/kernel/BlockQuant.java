package dev.tandem.model.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Quantizes float rows into GGUF's Q8_0 / Q4_0 blocks and reads them back, one scalar at a time:
 * the plain reference the Vector API kernels are tested against, and what quantize-at-load and
 * {@code tandem quantize} write.
 *
 * <p>Q8_0 blocks are byte-identical to ggml's reference quantizer ({@code quantize_row_q8_0_ref}):
 * float32 arithmetic in the same order, C's {@code roundf} (halves away from zero), the scale
 * rounded to float16 to nearest-even. Error bound per value x of a block with scale {@code d =
 * max|x| / 127} (d16 = d rounded to float16): {@code |x - x'| <= d16/2 + 127 |d - d16|}.
 *
 * <p>Q4_0 blocks keep ggml's layout (any Q4_0 reader decodes them as {@code d * (nibble - 8)}) but
 * choose the scale by a least-squares search in the manner of ggml's {@code make_qx_quants} (which
 * ggml's Q4_0 uses only with an importance matrix), here on plain squared error: the candidates are
 * ggml's reference block ({@code quantize_row_q4_0_ref}: {@code d = m / -8} with m the first value
 * of largest magnitude, {@code x/d + 8.5} truncated and clipped at 15) and, for each of 19 inverse
 * scales {@code -(8 + s/10) / m}, s = -9..9, the quants {@code clamp(rint(x * iscale), -8, 7)} with
 * their least-squares scale {@code sum(x q) / sum(q q)}; the block keeps the candidate whose
 * float16 scale gives the smallest sum of squared errors {@code sum((x - d16 q)^2)}, computed as
 * {@code sum(x x) - 2 d16 sum(x q) + d16^2 sum(q q)} (float32, sums over the values in order; the
 * first on ties). Blocks whose largest magnitude is below 1e-15 keep the reference block. So no
 * block is further from its floats than ggml's reference block (up to that expansion's float32
 * rounding), and on the fixture models' weights the squared error drops by about a tenth
 * (BENCHMARKS.md). {@code tools/reference/quant_reference.py} re-implements the search in numpy and
 * reproduces the blocks byte for byte.
 *
 * <p>Stateless; thread-safe.
 */
public final class BlockQuant {
  /** Values per block of both formats. */
  public static final int BLOCK = 32;

  private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

  /** Blocks whose largest magnitude is below this keep the reference block (ggml's eps). */
  private static final float MIN_SEARCHED = 1e-15f;

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
    byte[] best = new byte[BLOCK];
    byte[] trial = new byte[BLOCK];
    for (int b = 0; b < cols / BLOCK; b++) {
      long at = dstOff + (long) b * type.blockBytes();
      int from = srcOff + b * BLOCK;
      if (type == DType.Q8_0) {
        q8Block(src, from, dst, at);
      } else {
        q4Block(src, from, dst, at, best, trial);
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

  /** Q4_0 block with the least-squares scale search of the class comment. */
  private static void q4Block(
      float[] x, int from, MemorySegment dst, long at, byte[] best, byte[] trial) {
    float amax = 0;
    float max = 0;
    for (int j = 0; j < BLOCK; j++) {
      float v = x[from + j];
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    // candidate 1: ggml quantize_row_q4_0_ref
    float d = max / -8;
    float id = d != 0 ? 1.0f / d : 0.0f;
    float sumXx = 0;
    float sumQx = 0;
    float sumQq = 0;
    for (int j = 0; j < BLOCK; j++) {
      float v = x[from + j];
      best[j] = (byte) Math.min(15, (byte) (int) (v * id + 8.5f));
      int q = best[j] - 8;
      sumXx += v * v;
      sumQx += v * q;
      sumQq += q * q;
    }
    short bestScale = Float.floatToFloat16(d);
    float bestError = squaredError(sumXx, sumQx, sumQq, bestScale);
    for (int s = -9; s <= 9 && amax >= MIN_SEARCHED; s++) {
      float iscale = -(8 + 0.1f * s) / max;
      sumQx = 0;
      sumQq = 0;
      for (int j = 0; j < BLOCK; j++) {
        int q = Math.clamp((long) Math.rint(iscale * x[from + j]), -8, 7);
        trial[j] = (byte) (q + 8);
        sumQx += x[from + j] * q;
        sumQq += q * q;
      }
      short scale = Float.floatToFloat16(sumQx / sumQq); // sumQq > 0: max's own q is -7 or -8
      float error = squaredError(sumXx, sumQx, sumQq, scale);
      if (error < bestError) {
        bestError = error;
        bestScale = scale;
        System.arraycopy(trial, 0, best, 0, BLOCK);
      }
    }
    dst.set(Layouts.I16_LE, at, bestScale);
    for (int j = 0; j < BLOCK / 2; j++) {
      dst.set(BYTE, at + 2 + j, (byte) (best[j] | best[BLOCK / 2 + j] << 4));
    }
  }

  /**
   * sum_j (x_j - d q_j)^2 expanded, {@code sumXx - 2 d sumQx + d^2 sumQq} in float32 (one pass over
   * the block per candidate instead of two; its rounding, relative to sumXx, is far below the
   * differences between candidates that matter).
   */
  private static float squaredError(float sumXx, float sumQx, float sumQq, short d16) {
    float d = Float.float16ToFloat(d16);
    return sumXx - 2 * d * sumQx + d * d * sumQq;
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
