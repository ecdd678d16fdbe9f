package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.Layouts;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
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
 */
final class LinearKernels {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Short> S =
      VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  private static final int BLOCK = 4;

  private LinearKernels() {}

  /** Loads F.length() bf16 values at byte offset {@code off} as floats. */
  private static FloatVector bf16(MemorySegment w, long off) {
    return (FloatVector)
        ShortVector.fromMemorySegment(S, w, off, LE)
            .convertShape(VectorOperators.S2I, F.withLanes(int.class), 0)
            .lanewise(VectorOperators.LSHL, 16)
            .reinterpretAsFloats();
  }

  private static FloatVector load(MemorySegment w, long rowBase, int i, boolean bf16) {
    return bf16
        ? bf16(w, rowBase + (long) i * 2)
        : FloatVector.fromMemorySegment(F, w, rowBase + (long) i * 4, LE);
  }

  private static float scalar(MemorySegment w, long rowBase, int i, boolean bf16) {
    return bf16
        ? Float.intBitsToFloat(w.get(Layouts.I16_LE, rowBase + (long) i * 2) << 16)
        : w.get(Layouts.F32_LE, rowBase + (long) i * 4);
  }

  /**
   * out[r, o] = sum_i x[r, i] * w[o, i] for r in [0, n), o in [oFrom, oTo).
   *
   * @param x [n, cols] row-major
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
    int elemBytes = bf16 ? 2 : 4;
    int upper = F.loopBound(cols);
    for (int o = oFrom; o < oTo; o++) {
      long rowBase = (long) o * cols * elemBytes;
      int r = 0;
      for (; r + BLOCK <= n; r += BLOCK) {
        dot4(x, r, cols, w, rowBase, bf16, upper, out, outCols, o);
      }
      for (; r < n; r++) {
        out[r * outCols + o] = dot1(x, r * cols, cols, w, rowBase, bf16, upper);
      }
    }
  }

  private static float dot1(
      float[] x, int xOff, int cols, MemorySegment w, long rowBase, boolean bf16, int upper) {
    FloatVector acc = FloatVector.zero(F);
    int i = 0;
    for (; i < upper; i += F.length()) {
      acc = load(w, rowBase, i, bf16).fma(FloatVector.fromArray(F, x, xOff + i), acc);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < cols; i++) {
      sum += scalar(w, rowBase, i, bf16) * x[xOff + i];
    }
    return sum;
  }

  private static void dot4(
      float[] x,
      int r,
      int cols,
      MemorySegment w,
      long rowBase,
      boolean bf16,
      int upper,
      float[] out,
      int outCols,
      int o) {
    int x0 = r * cols;
    int x1 = x0 + cols;
    int x2 = x1 + cols;
    int x3 = x2 + cols;
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = FloatVector.zero(F);
    FloatVector a2 = FloatVector.zero(F);
    FloatVector a3 = FloatVector.zero(F);
    int i = 0;
    for (; i < upper; i += F.length()) {
      FloatVector wv = load(w, rowBase, i, bf16);
      a0 = wv.fma(FloatVector.fromArray(F, x, x0 + i), a0);
      a1 = wv.fma(FloatVector.fromArray(F, x, x1 + i), a1);
      a2 = wv.fma(FloatVector.fromArray(F, x, x2 + i), a2);
      a3 = wv.fma(FloatVector.fromArray(F, x, x3 + i), a3);
    }
    float s0 = a0.reduceLanes(VectorOperators.ADD);
    float s1 = a1.reduceLanes(VectorOperators.ADD);
    float s2 = a2.reduceLanes(VectorOperators.ADD);
    float s3 = a3.reduceLanes(VectorOperators.ADD);
    for (; i < cols; i++) {
      float wi = scalar(w, rowBase, i, bf16);
      s0 += wi * x[x0 + i];
      s1 += wi * x[x1 + i];
      s2 += wi * x[x2 + i];
      s3 += wi * x[x3 + i];
    }
    out[r * outCols + o] = s0;
    out[(r + 1) * outCols + o] = s1;
    out[(r + 2) * outCols + o] = s2;
    out[(r + 3) * outCols + o] = s3;
  }
}
