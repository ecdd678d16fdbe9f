package dev.tandem.model.kernel.vector;

import static dev.tandem.model.kernel.vector.QuantSpecies.B;
import static dev.tandem.model.kernel.vector.QuantSpecies.F;
import static dev.tandem.model.kernel.vector.QuantSpecies.L;
import static dev.tandem.model.kernel.vector.QuantSpecies.LE;
import static jdk.incubator.vector.VectorOperators.B2F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Dot products of float activation rows with one Q8_0 weight row, read block by block from off-heap
 * memory (34-byte blocks: float16 scale d, 32 int8 q). Per block, the int8 values are widened to
 * floats in registers, multiplied with the activations into a block sum t, and the block adds
 * {@code d * t} to the accumulator: one scale multiply per 32 values, nothing de-quantized in
 * memory.
 */
final class Q8Dots {
  private static final int BYTES = 34;
  private static final int PARTS = 32 / L; // float vectors per block

  private Q8Dots() {}

  /** sum over {@code blocks * 32} columns of x[x0 + i] * w[i], w's row at {@code base}. */
  static float dot1(float[] x, int x0, int blocks, MemorySegment w, long base) {
    // Written out without helpers that take or return vectors: a helper C2 does not inline
    // passes its vectors boxed (measured 10x slower). One block per iteration, its first part a
    // multiply rather than an FMA into zero: 17-20 % faster than two blocks per iteration with
    // zeroed block sums (same lanes, same sums; 46 M weights, one thread, BENCHMARKS.md).
    FloatVector a = FloatVector.zero(F);
    for (int b = 0; b < blocks; b++) {
      long at = base + (long) b * BYTES + 2;
      int xi = x0 + b * 32;
      FloatVector t =
          ((FloatVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(B2F, F, 0))
              .mul(FloatVector.fromArray(F, x, xi));
      for (int p = 1; p < PARTS; p++) {
        t =
            ((FloatVector)
                    ByteVector.fromMemorySegment(B, w, at + p * L, LE).convertShape(B2F, F, 0))
                .fma(FloatVector.fromArray(F, x, xi + p * L), t);
      }
      a = t.fma(FloatVector.broadcast(F, QuantSpecies.scale(w, at - 2)), a);
    }
    return a.reduceLanes(VectorOperators.ADD);
  }

  /**
   * Four activation rows (at x offsets r0..r3) against one weight row: each block is widened once
   * for all four. Only the first {@code valid} results are stored, at {@code out[o0 + j * stride]};
   * the others are padding (callers point them at a real row).
   */
  static void dot4(
      float[] x,
      int r0,
      int r1,
      int r2,
      int r3,
      int valid,
      int blocks,
      MemorySegment w,
      long base,
      float[] out,
      int o0,
      int stride) {
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = FloatVector.zero(F);
    FloatVector a2 = FloatVector.zero(F);
    FloatVector a3 = FloatVector.zero(F);
    for (int b = 0; b < blocks; b++) {
      long at = base + (long) b * BYTES;
      int c = b * 32;
      FloatVector t0 = FloatVector.zero(F);
      FloatVector t1 = FloatVector.zero(F);
      FloatVector t2 = FloatVector.zero(F);
      FloatVector t3 = FloatVector.zero(F);
      for (int p = 0; p < PARTS; p++) {
        FloatVector q = quants(w, at + 2 + p * L);
        int i = c + p * L;
        t0 = q.fma(FloatVector.fromArray(F, x, r0 + i), t0);
        t1 = q.fma(FloatVector.fromArray(F, x, r1 + i), t1);
        t2 = q.fma(FloatVector.fromArray(F, x, r2 + i), t2);
        t3 = q.fma(FloatVector.fromArray(F, x, r3 + i), t3);
      }
      FloatVector d = scale(w, at);
      a0 = t0.fma(d, a0);
      a1 = t1.fma(d, a1);
      a2 = t2.fma(d, a2);
      a3 = t3.fma(d, a3);
    }
    QuantLinearKernels.store(a0, a1, a2, a3, valid, out, o0, stride);
  }

  /**
   * As {@link #dot4} for weight rows o and o + 1 (at base and base + rowBytes): each activation
   * vector loaded serves both weight rows, which halves the loads per weight (the four-row kernel
   * alone was load-bound). Results go to {@code out[o0 + j * stride]} and {@code out[o0 + j *
   * stride + 1]} for the first {@code valid} rows j.
   */
  static void dot4x2(
      float[] x,
      int r0,
      int r1,
      int r2,
      int r3,
      int valid,
      int blocks,
      MemorySegment w,
      long base,
      long rowBytes,
      float[] out,
      int o0,
      int stride) {
    FloatVector a00 = FloatVector.zero(F); // [activation row][weight row]
    FloatVector a10 = FloatVector.zero(F);
    FloatVector a20 = FloatVector.zero(F);
    FloatVector a30 = FloatVector.zero(F);
    FloatVector a01 = FloatVector.zero(F);
    FloatVector a11 = FloatVector.zero(F);
    FloatVector a21 = FloatVector.zero(F);
    FloatVector a31 = FloatVector.zero(F);
    for (int b = 0; b < blocks; b++) {
      long at0 = base + (long) b * BYTES;
      long at1 = at0 + rowBytes;
      FloatVector t00 = FloatVector.zero(F);
      FloatVector t10 = FloatVector.zero(F);
      FloatVector t20 = FloatVector.zero(F);
      FloatVector t30 = FloatVector.zero(F);
      FloatVector t01 = FloatVector.zero(F);
      FloatVector t11 = FloatVector.zero(F);
      FloatVector t21 = FloatVector.zero(F);
      FloatVector t31 = FloatVector.zero(F);
      for (int p = 0; p < PARTS; p++) {
        FloatVector q0 = quants(w, at0 + 2 + p * L);
        FloatVector q1 = quants(w, at1 + 2 + p * L);
        int i = b * 32 + p * L;
        FloatVector xv = FloatVector.fromArray(F, x, r0 + i);
        t00 = q0.fma(xv, t00);
        t01 = q1.fma(xv, t01);
        xv = FloatVector.fromArray(F, x, r1 + i);
        t10 = q0.fma(xv, t10);
        t11 = q1.fma(xv, t11);
        xv = FloatVector.fromArray(F, x, r2 + i);
        t20 = q0.fma(xv, t20);
        t21 = q1.fma(xv, t21);
        xv = FloatVector.fromArray(F, x, r3 + i);
        t30 = q0.fma(xv, t30);
        t31 = q1.fma(xv, t31);
      }
      FloatVector d0 = scale(w, at0);
      FloatVector d1 = scale(w, at1);
      a00 = t00.fma(d0, a00);
      a10 = t10.fma(d0, a10);
      a20 = t20.fma(d0, a20);
      a30 = t30.fma(d0, a30);
      a01 = t01.fma(d1, a01);
      a11 = t11.fma(d1, a11);
      a21 = t21.fma(d1, a21);
      a31 = t31.fma(d1, a31);
    }
    QuantLinearKernels.store(a00, a10, a20, a30, valid, out, o0, stride);
    QuantLinearKernels.store(a01, a11, a21, a31, valid, out, o0 + 1, stride);
  }

  /** L int8 values at {@code at}, widened to floats. */
  private static FloatVector quants(MemorySegment w, long at) {
    return (FloatVector)
        ByteVector.fromMemorySegment(B, w, at, LE).convertShape(VectorOperators.B2F, F, 0);
  }

  /** The block's scale d in every lane. */
  private static FloatVector scale(MemorySegment w, long at) {
    return FloatVector.broadcast(F, QuantSpecies.scale(w, at));
  }
}
