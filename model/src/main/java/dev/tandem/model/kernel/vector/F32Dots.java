package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.Layouts;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Dot products of activation rows with one F32 weight row read from off-heap memory. */
final class F32Dots {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  private F32Dots() {}

  static float dot1(float[] x, int x0, int cols, MemorySegment w, long base) {
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = FloatVector.zero(F);
    int upper = F.loopBound(cols);
    int i = 0;
    for (; i + 2 * F.length() <= upper; i += 2 * F.length()) {
      a0 =
          FloatVector.fromMemorySegment(F, w, base + i * 4L, LE)
              .fma(FloatVector.fromArray(F, x, x0 + i), a0);
      a1 =
          FloatVector.fromMemorySegment(F, w, base + (i + F.length()) * 4L, LE)
              .fma(FloatVector.fromArray(F, x, x0 + i + F.length()), a1);
    }
    for (; i < upper; i += F.length()) {
      FloatVector wv = FloatVector.fromMemorySegment(F, w, base + i * 4L, LE);
      a0 = wv.fma(FloatVector.fromArray(F, x, x0 + i), a0);
    }
    float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
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
