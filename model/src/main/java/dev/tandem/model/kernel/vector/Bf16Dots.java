package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.Layouts;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * BF16 rows read 2L values at a time as L ints (L = float lanes): the low half of each int is an
 * even-indexed bf16, the high half the next odd-indexed one. {@code int << 16} and {@code int &
 * 0xFFFF0000} reinterpreted as floats give the even and the odd values exactly, with no lane
 * conversion (a {@code short -> int} convertShape was not reliably compiled to SIMD). The
 * activations must therefore be in even/odd order per block of 2L (see {@link
 * LinearKernels#evenOdd}).
 */
final class Bf16Dots {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  private Bf16Dots() {}

  private static final int L = F.length();

  static float dot1(float[] xp, int x0, int cols, MemorySegment w, long base) {
    // four independent accumulator chains so that FMA latency does not bound the loop
    FloatVector e0 = FloatVector.zero(F);
    FloatVector o0 = FloatVector.zero(F);
    FloatVector e1 = FloatVector.zero(F);
    FloatVector o1 = FloatVector.zero(F);
    int upper = cols - cols % (2 * L);
    int i = 0;
    for (; i + 4 * L <= upper; i += 4 * L) {
      IntVector iv0 = IntVector.fromMemorySegment(I, w, base + i * 2L, LE);
      IntVector iv1 = IntVector.fromMemorySegment(I, w, base + (i + 2 * L) * 2L, LE);
      e0 = even(iv0).fma(FloatVector.fromArray(F, xp, x0 + i), e0);
      o0 = odd(iv0).fma(FloatVector.fromArray(F, xp, x0 + i + L), o0);
      e1 = even(iv1).fma(FloatVector.fromArray(F, xp, x0 + i + 2 * L), e1);
      o1 = odd(iv1).fma(FloatVector.fromArray(F, xp, x0 + i + 3 * L), o1);
    }
    for (; i < upper; i += 2 * L) {
      IntVector iv = IntVector.fromMemorySegment(I, w, base + i * 2L, LE);
      e0 = even(iv).fma(FloatVector.fromArray(F, xp, x0 + i), e0);
      o0 = odd(iv).fma(FloatVector.fromArray(F, xp, x0 + i + L), o0);
    }
    float sum = e0.add(o0).add(e1.add(o1)).reduceLanes(VectorOperators.ADD);
    for (; i < cols; i++) {
      sum += scalar(w, base + i * 2L) * xp[x0 + i];
    }
    return sum;
  }

  static void dot4(
      float[] xp, int x0, int cols, MemorySegment w, long base, float[] out, int o0, int stride) {
    // eight accumulator chains: rows 0..3 times even / odd lanes
    FloatVector e0 = FloatVector.zero(F);
    FloatVector e1 = FloatVector.zero(F);
    FloatVector e2 = FloatVector.zero(F);
    FloatVector e3 = FloatVector.zero(F);
    FloatVector d0 = FloatVector.zero(F);
    FloatVector d1 = FloatVector.zero(F);
    FloatVector d2 = FloatVector.zero(F);
    FloatVector d3 = FloatVector.zero(F);
    int upper = cols - cols % (2 * L);
    int x1 = x0 + cols;
    int x2 = x1 + cols;
    int x3 = x2 + cols;
    int i = 0;
    for (; i < upper; i += 2 * L) {
      IntVector iv = IntVector.fromMemorySegment(I, w, base + i * 2L, LE);
      FloatVector we = even(iv);
      FloatVector wo = odd(iv);
      e0 = we.fma(FloatVector.fromArray(F, xp, x0 + i), e0);
      e1 = we.fma(FloatVector.fromArray(F, xp, x1 + i), e1);
      e2 = we.fma(FloatVector.fromArray(F, xp, x2 + i), e2);
      e3 = we.fma(FloatVector.fromArray(F, xp, x3 + i), e3);
      d0 = wo.fma(FloatVector.fromArray(F, xp, x0 + i + L), d0);
      d1 = wo.fma(FloatVector.fromArray(F, xp, x1 + i + L), d1);
      d2 = wo.fma(FloatVector.fromArray(F, xp, x2 + i + L), d2);
      d3 = wo.fma(FloatVector.fromArray(F, xp, x3 + i + L), d3);
    }
    float s0 = e0.add(d0).reduceLanes(VectorOperators.ADD);
    float s1 = e1.add(d1).reduceLanes(VectorOperators.ADD);
    float s2 = e2.add(d2).reduceLanes(VectorOperators.ADD);
    float s3 = e3.add(d3).reduceLanes(VectorOperators.ADD);
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

  /**
   * Like {@link #dot4} for weight rows o and o + 1 (at base and base + 2 * cols) and activation
   * rows at offsets x0..x3; only the first {@code valid} rows are stored (the others point at a
   * zero row and are padding).
   */
  static void dot4x2(
      float[] xp,
      int x0,
      int x1,
      int x2,
      int x3,
      int valid,
      int cols,
      MemorySegment w,
      long base,
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
    long base1 = base + cols * 2L;
    int upper = cols - cols % (2 * L);
    int i = 0;
    for (; i < upper; i += 2 * L) {
      IntVector w0 = IntVector.fromMemorySegment(I, w, base + i * 2L, LE);
      IntVector w1 = IntVector.fromMemorySegment(I, w, base1 + i * 2L, LE);
      FloatVector we0 = even(w0);
      FloatVector we1 = even(w1);
      FloatVector xe = FloatVector.fromArray(F, xp, x0 + i);
      a00 = we0.fma(xe, a00);
      a01 = we1.fma(xe, a01);
      xe = FloatVector.fromArray(F, xp, x1 + i);
      a10 = we0.fma(xe, a10);
      a11 = we1.fma(xe, a11);
      xe = FloatVector.fromArray(F, xp, x2 + i);
      a20 = we0.fma(xe, a20);
      a21 = we1.fma(xe, a21);
      xe = FloatVector.fromArray(F, xp, x3 + i);
      a30 = we0.fma(xe, a30);
      a31 = we1.fma(xe, a31);
      FloatVector wo0 = odd(w0);
      FloatVector wo1 = odd(w1);
      FloatVector xo = FloatVector.fromArray(F, xp, x0 + i + L);
      a00 = wo0.fma(xo, a00);
      a01 = wo1.fma(xo, a01);
      xo = FloatVector.fromArray(F, xp, x1 + i + L);
      a10 = wo0.fma(xo, a10);
      a11 = wo1.fma(xo, a11);
      xo = FloatVector.fromArray(F, xp, x2 + i + L);
      a20 = wo0.fma(xo, a20);
      a21 = wo1.fma(xo, a21);
      xo = FloatVector.fromArray(F, xp, x3 + i + L);
      a30 = wo0.fma(xo, a30);
      a31 = wo1.fma(xo, a31);
    }
    float s00 = a00.reduceLanes(VectorOperators.ADD);
    float s10 = a10.reduceLanes(VectorOperators.ADD);
    float s20 = a20.reduceLanes(VectorOperators.ADD);
    float s30 = a30.reduceLanes(VectorOperators.ADD);
    float s01 = a01.reduceLanes(VectorOperators.ADD);
    float s11 = a11.reduceLanes(VectorOperators.ADD);
    float s21 = a21.reduceLanes(VectorOperators.ADD);
    float s31 = a31.reduceLanes(VectorOperators.ADD);
    for (; i < cols; i++) {
      float wi0 = scalar(w, base + i * 2L);
      float wi1 = scalar(w, base1 + i * 2L);
      s00 += wi0 * xp[x0 + i];
      s10 += wi0 * xp[x1 + i];
      s20 += wi0 * xp[x2 + i];
      s30 += wi0 * xp[x3 + i];
      s01 += wi1 * xp[x0 + i];
      s11 += wi1 * xp[x1 + i];
      s21 += wi1 * xp[x2 + i];
      s31 += wi1 * xp[x3 + i];
    }
    out[o0] = s00;
    out[o0 + 1] = s01;
    if (valid > 1) {
      out[o0 + stride] = s10;
      out[o0 + stride + 1] = s11;
    }
    if (valid > 2) {
      out[o0 + 2 * stride] = s20;
      out[o0 + 2 * stride + 1] = s21;
    }
    if (valid > 3) {
      out[o0 + 3 * stride] = s30;
      out[o0 + 3 * stride + 1] = s31;
    }
  }

  /** The even-indexed bf16 values of 2L packed in L ints, as floats. */
  private static FloatVector even(IntVector iv) {
    return iv.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
  }

  /** The odd-indexed bf16 values of 2L packed in L ints, as floats. */
  private static FloatVector odd(IntVector iv) {
    return iv.and(0xFFFF0000).reinterpretAsFloats();
  }

  private static float scalar(MemorySegment w, long off) {
    return Float.intBitsToFloat(w.get(Layouts.I16_LE, off) << 16);
  }
}
