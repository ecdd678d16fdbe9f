package dev.tandem.model.kernel.vector;

import static dev.tandem.model.kernel.vector.QuantSpecies.B;
import static dev.tandem.model.kernel.vector.QuantSpecies.F;
import static dev.tandem.model.kernel.vector.QuantSpecies.L;

import dev.tandem.model.kernel.Layouts;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Dot products of float activation rows with one Q4_0 weight row (18-byte blocks: float16 scale d,
 * 16 bytes whose low nibbles are values 0..15 and high nibbles values 16..31, each {@code d *
 * (nibble - 8)}). One byte load gives L low and L high nibbles; both are unpacked and re-centred in
 * byte lanes, widened to floats in registers and multiplied with activations in their natural order
 * (no reordering of x, unlike BF16).
 */
final class Q4Dots {
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  private static final int BYTES = 18;
  private static final int PARTS = 16 / L; // byte loads per block

  private Q4Dots() {}

  /** sum over {@code blocks * 32} columns of x[x0 + i] * w[i], w's row at {@code base}. */
  static float dot1(float[] x, int x0, int blocks, MemorySegment w, long base) {
    // written out for the reason given in Q8Dots.dot1
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = FloatVector.zero(F);
    int b = 0;
    for (; b + 2 <= blocks; b += 2) {
      long at = base + (long) b * BYTES;
      int xi = x0 + b * 32;
      FloatVector t0 = FloatVector.zero(F);
      FloatVector t1 = FloatVector.zero(F);
      for (int p = 0; p < PARTS; p++) {
        ByteVector q0 = ByteVector.fromMemorySegment(B, w, at + 2 + p * L, LE);
        ByteVector q1 = ByteVector.fromMemorySegment(B, w, at + BYTES + 2 + p * L, LE);
        t0 = low(q0).fma(FloatVector.fromArray(F, x, xi + p * L), t0);
        t1 = low(q1).fma(FloatVector.fromArray(F, x, xi + 32 + p * L), t1);
        t0 = high(q0).fma(FloatVector.fromArray(F, x, xi + 16 + p * L), t0);
        t1 = high(q1).fma(FloatVector.fromArray(F, x, xi + 48 + p * L), t1);
      }
      a0 = t0.fma(scale(w, at), a0);
      a1 = t1.fma(scale(w, at + BYTES), a1);
    }
    if (b < blocks) {
      long at = base + (long) b * BYTES;
      int xi = x0 + b * 32;
      FloatVector t0 = FloatVector.zero(F);
      for (int p = 0; p < PARTS; p++) {
        ByteVector q0 = ByteVector.fromMemorySegment(B, w, at + 2 + p * L, LE);
        t0 = low(q0).fma(FloatVector.fromArray(F, x, xi + p * L), t0);
        t0 = high(q0).fma(FloatVector.fromArray(F, x, xi + 16 + p * L), t0);
      }
      a0 = t0.fma(scale(w, at), a0);
    }
    return a0.add(a1).reduceLanes(VectorOperators.ADD);
  }

  /** As {@link Q8Dots#dot4}, for Q4_0. */
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
      FloatVector t0 = FloatVector.zero(F);
      FloatVector t1 = FloatVector.zero(F);
      FloatVector t2 = FloatVector.zero(F);
      FloatVector t3 = FloatVector.zero(F);
      for (int p = 0; p < PARTS; p++) {
        ByteVector packed = ByteVector.fromMemorySegment(B, w, at + 2 + p * L, LE);
        FloatVector q = low(packed);
        int i = b * 32 + p * L;
        t0 = q.fma(FloatVector.fromArray(F, x, r0 + i), t0);
        t1 = q.fma(FloatVector.fromArray(F, x, r1 + i), t1);
        t2 = q.fma(FloatVector.fromArray(F, x, r2 + i), t2);
        t3 = q.fma(FloatVector.fromArray(F, x, r3 + i), t3);
        q = high(packed);
        i += 16;
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

  // low() and high() stay small enough (< 35 bytecodes) for C2 to inline them always

  private static FloatVector low(ByteVector packed) {
    return widen(packed.and((byte) 0x0F));
  }

  private static FloatVector high(ByteVector packed) {
    // the mask keeps the result right whether LSHR on bytes shifts in zeros or sign bits
    return widen(packed.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F));
  }

  /** Nibbles 0..15 in byte lanes to floats -8..7. */
  private static FloatVector widen(ByteVector nibbles) {
    return (FloatVector) nibbles.sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
  }

  private static FloatVector scale(MemorySegment w, long at) {
    return FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.I16_LE, at)));
  }
}
