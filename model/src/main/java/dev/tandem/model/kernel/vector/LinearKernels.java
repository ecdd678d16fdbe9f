package dev.tandem.model.kernel.vector;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code out = x · wᵀ} with the weight read from off-heap memory, float32 accumulation.
 *
 * <p>For each weight row, up to four activation rows are processed together (register blocking):
 * the weight row is loaded once per four activation rows and stays in L1 for the next four, so
 * scoring a block of k tokens reads the weight matrix from memory once, not k times.
 *
 * <p>BF16 is widened while loading (bf16 is the top half of a float32), so it reads half the bytes
 * of F32; see {@link Bf16Dots} for how.
 *
 * <p>Why the F32 and BF16 loops are written out twice: the Vector API is only compiled to SIMD
 * instructions when species are constants and each call site sees one vector shape; a shared loop
 * with a dtype branch fell back to boxed vectors (20-40x slower) in measurements.
 */
final class LinearKernels {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  private LinearKernels() {}

  /**
   * out[r, o] = sum_i x[r, i] * w[o, i] for r in [0, n), o in [oFrom, oTo), with w F32.
   *
   * <p>F32 and BF16 have separate entry points on purpose: one shared loop compiled for whichever
   * dtype ran first and then ran the other at half speed (measured).
   *
   * @param x [n, cols] row-major
   * @param w [rows, cols] little-endian F32
   * @param out [n, outCols] row-major
   */
  static void matmulF32(
      float[] x, int n, int cols, MemorySegment w, int oFrom, int oTo, float[] out, int outCols) {
    for (int o = oFrom; o < oTo; o++) {
      long base = (long) o * cols * 4;
      int r = 0;
      for (; r + 4 <= n; r += 4) {
        F32Dots.dot4(x, r * cols, cols, w, base, out, r * outCols + o, outCols);
      }
      for (; r < n; r++) {
        out[r * outCols + o] = F32Dots.dot1(x, r * cols, cols, w, base);
      }
    }
  }

  /**
   * As {@link #matmulF32} with w BF16; {@code xp} is x in the order {@link #evenOdd} gives, and its
   * last row ({@code xp.length - cols}) must be zeros. For n >= 2, two weight rows run against four
   * activation rows at a time (2 weight loads and 8 activation loads feed 16 FMAs; one weight row
   * at a time needed 9 loads for 8 FMAs and was load-bound); a last block of 2 or 3 rows is padded
   * with the zero row rather than done row by row, which measured cheaper.
   */
  static void matmulBf16(
      float[] xp, int n, int cols, MemorySegment w, int oFrom, int oTo, float[] out, int outCols) {
    int o = oFrom;
    if (n >= 2) {
      int zero = xp.length - cols;
      for (; o + 2 <= oTo; o += 2) {
        long base = (long) o * cols * 2;
        int r = 0;
        for (; n - r >= 2; r += 4) {
          int valid = Math.min(4, n - r);
          Bf16Dots.dot4x2(
              xp,
              r * cols,
              valid > 1 ? (r + 1) * cols : zero,
              valid > 2 ? (r + 2) * cols : zero,
              valid > 3 ? (r + 3) * cols : zero,
              valid,
              cols,
              w,
              base,
              out,
              r * outCols + o,
              outCols);
        }
        if (r < n) { // one row left: padding it to four would cost more than two dot products
          out[r * outCols + o] = Bf16Dots.dot1(xp, r * cols, cols, w, base);
          out[r * outCols + o + 1] = Bf16Dots.dot1(xp, r * cols, cols, w, base + cols * 2L);
        }
      }
    }
    for (; o < oTo; o++) {
      long base = (long) o * cols * 2;
      int r = 0;
      for (; r + 4 <= n; r += 4) {
        Bf16Dots.dot4(xp, r * cols, cols, w, base, out, r * outCols + o, outCols);
      }
      for (; r < n; r++) {
        out[r * outCols + o] = Bf16Dots.dot1(xp, r * cols, cols, w, base);
      }
    }
  }

  /**
   * Copies rows {@code [0, n)} of {@code x: [n, cols]} into {@code xp} in the order the BF16 kernel
   * reads them: within each full block of 2L columns, the even columns first, then the odd ones;
   * columns past the last full block are copied as they are.
   */
  static void evenOdd(float[] x, int n, int cols, float[] xp) {
    int l = F.length();
    int upper = cols - cols % (2 * l);
    for (int r = 0; r < n; r++) {
      int row = r * cols;
      for (int b = 0; b < upper; b += 2 * l) {
        for (int k = 0; k < l; k++) {
          xp[row + b + k] = x[row + b + 2 * k];
          xp[row + b + l + k] = x[row + b + 2 * k + 1];
        }
      }
      System.arraycopy(x, row + upper, xp, row + upper, cols - upper);
    }
  }
}
