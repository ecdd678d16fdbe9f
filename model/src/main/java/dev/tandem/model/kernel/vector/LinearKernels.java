package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.Layouts;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code out = x · wᵀ} with the weight read from off-heap memory, float32 accumulation.
 *
 * <p>For each weight row, up to four activation rows are processed together (register blocking):
 * the weight row is loaded once per four activation rows and stays in L1 for the next four, so
 * scoring a block of k tokens reads the weight matrix from memory once, not k times.
 *
 * <p>BF16 is widened while loading (bf16 is the top half of a float32), so it reads half the bytes
 * of F32; see {@link Bf16} for how.
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
   * out[r, o] = sum_i x[r, i] * w[o, i] for r in [0, n), o in [oFrom, oTo).
   *
   * @param x [n, cols] row-major; for BF16 in the order {@link #evenOdd} gives
   * @param w [rows, cols] F32 (bf16 false) or BF16 (bf16 true), little-endian
   * @param out [n, outCols] row-major
   */
  static void matmul(
      float[] x,
      int n,
      int cols,
      MemorySegment w,
      boolean bf16,
      int oFrom,
      int oTo,
      float[] out,
      int outCols) {
    for (int o = oFrom; o < oTo; o++) {
      int r = 0;
      for (; r + 4 <= n; r += 4) {
        if (bf16) {
          Bf16.dot4(x, r * cols, cols, w, (long) o * cols * 2, out, r * outCols + o, outCols);
        } else {
          F32.dot4(x, r * cols, cols, w, (long) o * cols * 4, out, r * outCols + o, outCols);
        }
      }
      for (; r < n; r++) {
        out[r * outCols + o] =
            bf16
                ? Bf16.dot1(x, r * cols, cols, w, (long) o * cols * 2)
                : F32.dot1(x, r * cols, cols, w, (long) o * cols * 4);
      }
    }
  }

  private static final class F32 {
    static float dot1(float[] x, int x0, int cols, MemorySegment w, long base) {
      FloatVector acc = FloatVector.zero(F);
      int upper = F.loopBound(cols);
      int i = 0;
      for (; i < upper; i += F.length()) {
        FloatVector wv = FloatVector.fromMemorySegment(F, w, base + i * 4L, LE);
        acc = wv.fma(FloatVector.fromArray(F, x, x0 + i), acc);
      }
      float sum = acc.reduceLanes(VectorOperators.ADD);
      for (; i < cols; i++) {
        sum += w.get(Layouts.F32_LE, base + i * 4L) * x[x0 + i];
      }
      return sum;
    }

    static void dot4(
        float[] x, int x0, int cols, MemorySegment w, long base, float[] out, int o0, int stride) {
      FloatVector a0 = FloatVector.zero(F);
      FloatVector a1 = FloatVector.zero(F);
      FloatVector a2 = FloatVector.zero(F);
      FloatVector a3 = FloatVector.zero(F);
      int upper = F.loopBound(cols);
      int i = 0;
      for (; i < upper; i += F.length()) {
        FloatVector wv = FloatVector.fromMemorySegment(F, w, base + i * 4L, LE);
        a0 = wv.fma(FloatVector.fromArray(F, x, x0 + i), a0);
        a1 = wv.fma(FloatVector.fromArray(F, x, x0 + cols + i), a1);
        a2 = wv.fma(FloatVector.fromArray(F, x, x0 + 2 * cols + i), a2);
        a3 = wv.fma(FloatVector.fromArray(F, x, x0 + 3 * cols + i), a3);
      }
      float s0 = a0.reduceLanes(VectorOperators.ADD);
      float s1 = a1.reduceLanes(VectorOperators.ADD);
      float s2 = a2.reduceLanes(VectorOperators.ADD);
      float s3 = a3.reduceLanes(VectorOperators.ADD);
      for (; i < cols; i++) {
        float wi = w.get(Layouts.F32_LE, base + i * 4L);
        s0 += wi * x[x0 + i];
        s1 += wi * x[x0 + cols + i];
        s2 += wi * x[x0 + 2 * cols + i];
        s3 += wi * x[x0 + 3 * cols + i];
      }
      out[o0] = s0;
      out[o0 + stride] = s1;
      out[o0 + 2 * stride] = s2;
      out[o0 + 3 * stride] = s3;
    }
  }

  /**
   * BF16 rows read 2L values at a time as L ints (L = float lanes): the low half of each int is an
   * even-indexed bf16, the high half the next odd-indexed one. {@code int << 16} and {@code int &
   * 0xFFFF0000} reinterpreted as floats give the even and the odd values exactly, with no lane
   * conversion (a {@code short -> int} convertShape was not reliably compiled to SIMD). The
   * activations must therefore be in even/odd order per block of 2L (see {@link #evenOdd}).
   */
  private static final class Bf16 {
    private static final int L = F.length();

    static float dot1(float[] xp, int x0, int cols, MemorySegment w, long base) {
      FloatVector even = FloatVector.zero(F);
      FloatVector odd = FloatVector.zero(F);
      int upper = cols - cols % (2 * L);
      int i = 0;
      for (; i < upper; i += 2 * L) {
        IntVector iv = IntVector.fromMemorySegment(I, w, base + i * 2L, LE);
        FloatVector we = iv.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        FloatVector wo = iv.and(0xFFFF0000).reinterpretAsFloats();
        even = we.fma(FloatVector.fromArray(F, xp, x0 + i), even);
        odd = wo.fma(FloatVector.fromArray(F, xp, x0 + i + L), odd);
      }
      float sum = even.add(odd).reduceLanes(VectorOperators.ADD);
      for (; i < cols; i++) {
        sum += scalar(w, base + i * 2L) * xp[x0 + i];
      }
      return sum;
    }

    static void dot4(
        float[] xp, int x0, int cols, MemorySegment w, long base, float[] out, int o0, int stride) {
      FloatVector a0 = FloatVector.zero(F);
      FloatVector a1 = FloatVector.zero(F);
      FloatVector a2 = FloatVector.zero(F);
      FloatVector a3 = FloatVector.zero(F);
      int upper = cols - cols % (2 * L);
      int x1 = x0 + cols;
      int x2 = x1 + cols;
      int x3 = x2 + cols;
      int i = 0;
      for (; i < upper; i += 2 * L) {
        IntVector iv = IntVector.fromMemorySegment(I, w, base + i * 2L, LE);
        FloatVector we = iv.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        FloatVector wo = iv.and(0xFFFF0000).reinterpretAsFloats();
        a0 = we.fma(FloatVector.fromArray(F, xp, x0 + i), a0);
        a1 = we.fma(FloatVector.fromArray(F, xp, x1 + i), a1);
        a2 = we.fma(FloatVector.fromArray(F, xp, x2 + i), a2);
        a3 = we.fma(FloatVector.fromArray(F, xp, x3 + i), a3);
        a0 = wo.fma(FloatVector.fromArray(F, xp, x0 + i + L), a0);
        a1 = wo.fma(FloatVector.fromArray(F, xp, x1 + i + L), a1);
        a2 = wo.fma(FloatVector.fromArray(F, xp, x2 + i + L), a2);
        a3 = wo.fma(FloatVector.fromArray(F, xp, x3 + i + L), a3);
      }
      float s0 = a0.reduceLanes(VectorOperators.ADD);
      float s1 = a1.reduceLanes(VectorOperators.ADD);
      float s2 = a2.reduceLanes(VectorOperators.ADD);
      float s3 = a3.reduceLanes(VectorOperators.ADD);
      for (; i < cols; i++) {
        float wi = scalar(w, base + i * 2L);
        s0 += wi * xp[x0 + i];
        s1 += wi * xp[x1 + i];
        s2 += wi * xp[x2 + i];
        s3 += wi * xp[x3 + i];
      }
      out[o0] = s0;
      out[o0 + stride] = s1;
      out[o0 + 2 * stride] = s2;
      out[o0 + 3 * stride] = s3;
    }

    private static float scalar(MemorySegment w, long off) {
      return Float.intBitsToFloat(w.get(Layouts.I16_LE, off) << 16);
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
