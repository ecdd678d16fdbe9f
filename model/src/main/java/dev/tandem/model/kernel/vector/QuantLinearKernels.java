package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@code out = x · wᵀ} with w block-quantized (Q8_0 or Q4_0, GGUF layout) and read straight from
 * off-heap memory (the mapped GGUF file, or the arena of quantize-at-load); float32 accumulation.
 * For two rows or more, rows of x are taken four at a time against two Q8_0 weight rows ({@link
 * Q8Dots#dot4x2}) or one Q4_0 weight row ({@link Q4Dots#dot4}) at a time, so scoring a block of k +
 * 1 tokens or a batch reads and widens the weight once per four rows; a last group of fewer rows is
 * padded with repeats of its first row (their results are dropped), a last single row runs {@code
 * dot1}. One row (decode) runs {@code dot1}.
 *
 * <p>Separate entry points per format for the reason given on {@link LinearKernels}: each call site
 * must see one vector shape to be compiled to SIMD code.
 */
final class QuantLinearKernels {
  private QuantLinearKernels() {}

  /**
   * out[r, o] = sum_i x[r, i] * w[o, i] for r in [0, n), o in [oFrom, oTo).
   *
   * @param x [n, cols] row-major
   * @param w [rows, cols] as Q8_0 blocks, cols a multiple of 32
   * @param out [n, outCols] row-major
   */
  static void matmulQ8(
      float[] x, int n, int cols, MemorySegment w, int oFrom, int oTo, float[] out, int outCols) {
    int blocks = cols / 32;
    long rowBytes = (long) blocks * DType.Q8_0.blockBytes();
    int o = oFrom;
    if (n >= 2) { // two weight rows against four activation rows at a time
      for (; o + 2 <= oTo; o += 2) {
        long base = o * rowBytes;
        int r = 0;
        for (; n - r >= 2; r += 4) {
          int valid = Math.min(4, n - r);
          int r0 = r * cols;
          Q8Dots.dot4x2(
              x,
              r0,
              row(r0, 1, valid, cols),
              row(r0, 2, valid, cols),
              row(r0, 3, valid, cols),
              valid,
              blocks,
              w,
              base,
              rowBytes,
              out,
              r * outCols + o,
              outCols);
        }
        if (r < n) { // one row left: two dot products cost less than padding it to four
          out[r * outCols + o] = Q8Dots.dot1(x, r * cols, blocks, w, base);
          out[r * outCols + o + 1] = Q8Dots.dot1(x, r * cols, blocks, w, base + rowBytes);
        }
      }
    }
    for (; o < oTo; o++) {
      long base = o * rowBytes;
      int r = 0;
      for (; n - r >= 2; r += 4) {
        int valid = Math.min(4, n - r);
        int r0 = r * cols;
        Q8Dots.dot4(
            x,
            r0,
            row(r0, 1, valid, cols),
            row(r0, 2, valid, cols),
            row(r0, 3, valid, cols),
            valid,
            blocks,
            w,
            base,
            out,
            r * outCols + o,
            outCols);
      }
      if (r < n) {
        out[r * outCols + o] = Q8Dots.dot1(x, r * cols, blocks, w, base);
      }
    }
  }

  /** As {@link #matmulQ8} with w in Q4_0 blocks. */
  static void matmulQ4(
      float[] x, int n, int cols, MemorySegment w, int oFrom, int oTo, float[] out, int outCols) {
    int blocks = cols / 32;
    long rowBytes = (long) blocks * DType.Q4_0.blockBytes();
    // one weight row at a time: two-row Q4_0 kernels ran at half the speed of this (16 accumulators
    // and the unpacked nibbles of two rows do not fit in the vector registers)
    for (int o = oFrom; o < oTo; o++) {
      long base = o * rowBytes;
      int r = 0;
      for (; n - r >= 2; r += 4) {
        int valid = Math.min(4, n - r);
        int r0 = r * cols;
        Q4Dots.dot4(
            x,
            r0,
            row(r0, 1, valid, cols),
            row(r0, 2, valid, cols),
            row(r0, 3, valid, cols),
            valid,
            blocks,
            w,
            base,
            out,
            r * outCols + o,
            outCols);
      }
      if (r < n) {
        out[r * outCols + o] = Q4Dots.dot1(x, r * cols, blocks, w, base);
      }
    }
  }

  /**
   * Offset in x of the j-th row (j = 1..3) of a group of four starting at r0: the real row when j <
   * valid, else r0 again (padding whose results are dropped).
   */
  private static int row(int r0, int j, int valid, int cols) {
    return j < valid ? r0 + j * cols : r0;
  }

  /** Stores the lane sums of the first {@code valid} accumulators at {@code o0 + j * stride}. */
  static void store(
      FloatVector a0,
      FloatVector a1,
      FloatVector a2,
      FloatVector a3,
      int valid,
      float[] out,
      int o0,
      int stride) {
    out[o0] = a0.reduceLanes(VectorOperators.ADD);
    if (valid > 1) {
      out[o0 + stride] = a1.reduceLanes(VectorOperators.ADD);
    }
    if (valid > 2) {
      out[o0 + 2 * stride] = a2.reduceLanes(VectorOperators.ADD);
    }
    if (valid > 3) {
      out[o0 + 3 * stride] = a3.reduceLanes(VectorOperators.ADD);
    }
  }
}
