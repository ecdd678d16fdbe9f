package dev.tandem.model.kernel.vector;

import static dev.tandem.model.kernel.vector.QuantSpecies.B;
import static dev.tandem.model.kernel.vector.QuantSpecies.F;
import static dev.tandem.model.kernel.vector.QuantSpecies.I;
import static dev.tandem.model.kernel.vector.QuantSpecies.L;
import static dev.tandem.model.kernel.vector.QuantSpecies.LE;
import static dev.tandem.model.kernel.vector.QuantSpecies.scale;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.B2I;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Dot products of float activation rows with one Q4_0 weight row (18-byte blocks: float16 scale d,
 * 16 bytes whose low nibbles are values 0..15 and high nibbles values 16..31, each {@code d *
 * (nibble - 8)}), the activations in their natural order (no reordering of x, unlike BF16).
 *
 * <p>Unpacking, per L bytes: {@code XOR 0x88} flips bit 3 of both nibbles, which turns each nibble
 * n into the 4-bit two's complement of n - 8; the bytes are sign-extended once to int lanes, where
 * {@code >> 4} (arithmetic) gives the high value n - 8 and {@code << 28 >> 28} the low one, then
 * int-to-float. Five lane instructions for 2L weights and no offset left to subtract; unpacking in
 * byte lanes, as before, cost several instructions per shift (x86 has no byte shift) and ran the
 * decode kernel about a tenth slower (BENCHMARKS.md). The unpacking is written out in every kernel
 * rather than in helpers for the reason given in {@link Q8Dots#dot1}: C2 did not reliably inline
 * such helpers here (measured 3x slower when it did not).
 */
final class Q4Dots {
  private static final int BYTES = 18;
  private static final int PARTS = 16 / L; // byte loads per block
  private static final byte FLIP = (byte) 0x88;

  private Q4Dots() {}

  /** sum over {@code blocks * 32} columns of x[x0 + i] * w[i], w's row at {@code base}. */
  static float dot1(float[] x, int x0, int blocks, MemorySegment w, long base) {
    // two accumulators over alternate blocks, as Q8Dots.dot1
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = FloatVector.zero(F);
    int b = 0;
    for (; b + 2 <= blocks; b += 2) {
      long at = base + (long) b * BYTES;
      int xi = x0 + b * 32;
      FloatVector t0 = FloatVector.zero(F);
      FloatVector t1 = FloatVector.zero(F);
      for (int p = 0; p < PARTS; p++) {
        IntVector q0 =
            (IntVector)
                ByteVector.fromMemorySegment(B, w, at + 2 + p * L, LE)
                    .lanewise(XOR, FLIP)
                    .convertShape(B2I, I, 0);
        IntVector q1 =
            (IntVector)
                ByteVector.fromMemorySegment(B, w, at + BYTES + 2 + p * L, LE)
                    .lanewise(XOR, FLIP)
                    .convertShape(B2I, I, 0);
        FloatVector lo0 = (FloatVector) q0.lanewise(LSHL, 28).lanewise(ASHR, 28).convert(I2F, 0);
        FloatVector lo1 = (FloatVector) q1.lanewise(LSHL, 28).lanewise(ASHR, 28).convert(I2F, 0);
        FloatVector hi0 = (FloatVector) q0.lanewise(ASHR, 4).convert(I2F, 0);
        FloatVector hi1 = (FloatVector) q1.lanewise(ASHR, 4).convert(I2F, 0);
        t0 = lo0.fma(FloatVector.fromArray(F, x, xi + p * L), t0);
        t1 = lo1.fma(FloatVector.fromArray(F, x, xi + 32 + p * L), t1);
        t0 = hi0.fma(FloatVector.fromArray(F, x, xi + 16 + p * L), t0);
        t1 = hi1.fma(FloatVector.fromArray(F, x, xi + 48 + p * L), t1);
      }
      a0 = t0.fma(FloatVector.broadcast(F, scale(w, at)), a0);
      a1 = t1.fma(FloatVector.broadcast(F, scale(w, at + BYTES)), a1);
    }
    if (b < blocks) {
      long at = base + (long) b * BYTES;
      int xi = x0 + b * 32;
      FloatVector t0 = FloatVector.zero(F);
      for (int p = 0; p < PARTS; p++) {
        IntVector q0 =
            (IntVector)
                ByteVector.fromMemorySegment(B, w, at + 2 + p * L, LE)
                    .lanewise(XOR, FLIP)
                    .convertShape(B2I, I, 0);
        FloatVector lo0 = (FloatVector) q0.lanewise(LSHL, 28).lanewise(ASHR, 28).convert(I2F, 0);
        FloatVector hi0 = (FloatVector) q0.lanewise(ASHR, 4).convert(I2F, 0);
        t0 = lo0.fma(FloatVector.fromArray(F, x, xi + p * L), t0);
        t0 = hi0.fma(FloatVector.fromArray(F, x, xi + 16 + p * L), t0);
      }
      a0 = t0.fma(FloatVector.broadcast(F, scale(w, at)), a0);
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
        IntVector packed =
            (IntVector)
                ByteVector.fromMemorySegment(B, w, at + 2 + p * L, LE)
                    .lanewise(XOR, FLIP)
                    .convertShape(B2I, I, 0);
        FloatVector q = (FloatVector) packed.lanewise(LSHL, 28).lanewise(ASHR, 28).convert(I2F, 0);
        int i = b * 32 + p * L;
        t0 = q.fma(FloatVector.fromArray(F, x, r0 + i), t0);
        t1 = q.fma(FloatVector.fromArray(F, x, r1 + i), t1);
        t2 = q.fma(FloatVector.fromArray(F, x, r2 + i), t2);
        t3 = q.fma(FloatVector.fromArray(F, x, r3 + i), t3);
        q = (FloatVector) packed.lanewise(ASHR, 4).convert(I2F, 0);
        i += 16;
        t0 = q.fma(FloatVector.fromArray(F, x, r0 + i), t0);
        t1 = q.fma(FloatVector.fromArray(F, x, r1 + i), t1);
        t2 = q.fma(FloatVector.fromArray(F, x, r2 + i), t2);
        t3 = q.fma(FloatVector.fromArray(F, x, r3 + i), t3);
      }
      FloatVector d = FloatVector.broadcast(F, scale(w, at));
      a0 = t0.fma(d, a0);
      a1 = t1.fma(d, a1);
      a2 = t2.fma(d, a2);
      a3 = t3.fma(d, a3);
    }
    QuantLinearKernels.store(a0, a1, a2, a3, valid, out, o0, stride);
  }
}
