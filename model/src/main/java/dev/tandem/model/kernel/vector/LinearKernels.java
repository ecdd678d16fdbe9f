package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.Layouts;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code out = x · wᵀ} with the weight read from off-heap memory, float32 accumulation.
 *
 * <p>For each weight row, up to four activation rows are processed together (register blocking):
 * the weight row is loaded once per four activation rows and stays in L1 for the next four, so
 * scoring a block of k tokens reads the weight matrix from memory once, not k times.
 *
 * <p>BF16 is widened lane-wise while loading: {@code short -> int}, shift left 16, reinterpret as
 * float (bf16 is the top half of a float32), which reads half the bytes of F32.
 *
 * <p>Why the F32 and BF16 loops are written out twice: the Vector API is only compiled to SIMD
 * instructions when species are constants and each call site sees one vector shape; a shared loop
 * with a dtype branch fell back to boxed vectors (20-40x slower) in measurements.
 */
final class LinearKernels {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Short> S =
      VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  private LinearKernels() {}

  /**
   * out[r, o] = sum_i x[r, i] * w[o, i] for r in [0, n), o in [oFrom, oTo).
   *
   * @param x [n, cols] row-major
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
      float[] s = {
        a0.reduceLanes(VectorOperators.ADD),
        a1.reduceLanes(VectorOperators.ADD),
        a2.reduceLanes(VectorOperators.ADD),
        a3.reduceLanes(VectorOperators.ADD)
      };
      for (int r = 0; r < 4; r++) {
        for (int j = i; j < cols; j++) {
          s[r] += w.get(Layouts.F32_LE, base + j * 4L) * x[x0 + r * cols + j];
        }
        out[o0 + r * stride] = s[r];
      }
    }
  }

  private static final class Bf16 {
    private static FloatVector load(MemorySegment w, long off) {
      return (FloatVector)
          ShortVector.fromMemorySegment(S, w, off, LE)
              .convertShape(VectorOperators.S2I, I, 0)
              .lanewise(VectorOperators.LSHL, 16)
              .reinterpretAsFloats();
    }

    private static float scalar(MemorySegment w, long off) {
      return Float.intBitsToFloat(w.get(Layouts.I16_LE, off) << 16);
    }

    static float dot1(float[] x, int x0, int cols, MemorySegment w, long base) {
      FloatVector acc = FloatVector.zero(F);
      int upper = F.loopBound(cols);
      int i = 0;
      for (; i < upper; i += F.length()) {
        acc = load(w, base + i * 2L).fma(FloatVector.fromArray(F, x, x0 + i), acc);
      }
      float sum = acc.reduceLanes(VectorOperators.ADD);
      for (; i < cols; i++) {
        sum += scalar(w, base + i * 2L) * x[x0 + i];
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
        FloatVector wv = load(w, base + i * 2L);
        a0 = wv.fma(FloatVector.fromArray(F, x, x0 + i), a0);
        a1 = wv.fma(FloatVector.fromArray(F, x, x0 + cols + i), a1);
        a2 = wv.fma(FloatVector.fromArray(F, x, x0 + 2 * cols + i), a2);
        a3 = wv.fma(FloatVector.fromArray(F, x, x0 + 3 * cols + i), a3);
      }
      float[] s = {
        a0.reduceLanes(VectorOperators.ADD),
        a1.reduceLanes(VectorOperators.ADD),
        a2.reduceLanes(VectorOperators.ADD),
        a3.reduceLanes(VectorOperators.ADD)
      };
      for (int r = 0; r < 4; r++) {
        for (int j = i; j < cols; j++) {
          s[r] += scalar(w, base + j * 2L) * x[x0 + r * cols + j];
        }
        out[o0 + r * stride] = s[r];
      }
    }
  }
}
