package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.RopeTable;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Row-wise and element-wise kernels on heap activations. */
final class ElementwiseKernels {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  private ElementwiseKernels() {}

  /** out[r, i] = x[r, i] / sqrt(mean(x[r, :]^2) + eps) * g[i]; x: [n, d]. In place allowed. */
  static void rmsNorm(float[] x, float[] g, float eps, int n, int d, float[] out) {
    int upper = F.loopBound(d);
    for (int r = 0; r < n; r++) {
      int base = r * d;
      FloatVector acc = FloatVector.zero(F);
      int i = 0;
      for (; i < upper; i += F.length()) {
        FloatVector v = FloatVector.fromArray(F, x, base + i);
        acc = v.fma(v, acc);
      }
      float ss = acc.reduceLanes(VectorOperators.ADD);
      for (; i < d; i++) {
        ss += x[base + i] * x[base + i];
      }
      float inv = (float) (1.0 / Math.sqrt(ss / d + eps));
      i = 0;
      for (; i < upper; i += F.length()) {
        FloatVector.fromArray(F, x, base + i)
            .mul(inv)
            .mul(FloatVector.fromArray(F, g, i))
            .intoArray(out, base + i);
      }
      for (; i < d; i++) {
        out[base + i] = x[base + i] * inv * g[i];
      }
    }
  }

  /** rotate_half RoPE in place on x: [n, nHeads * headDim], row r at positions[r]. */
  static void rope(float[] x, int cols, int n, int nHeads, int[] positions, RopeTable table) {
    int headDim = cols / nHeads;
    int half = headDim / 2;
    float[] cos = table.cos();
    float[] sin = table.sin();
    for (int r = 0; r < n; r++) {
      int t = positions[r] * half;
      for (int h = 0; h < nHeads; h++) {
        int base = r * cols + h * headDim;
        for (int i = 0; i < half; i++) {
          float x1 = x[base + i];
          float x2 = x[base + half + i];
          float c = cos[t + i];
          float s = sin[t + i];
          x[base + i] = x1 * c - x2 * s;
          x[base + half + i] = x2 * c + x1 * s;
        }
      }
    }
  }

  /** gate[i] = silu(gate[i]) * up[i] for i in [0, len). */
  static void siluMul(float[] gate, float[] up, int len) {
    int upper = F.loopBound(len);
    int i = 0;
    for (; i < upper; i += F.length()) {
      FloatVector z = FloatVector.fromArray(F, gate, i);
      FloatVector sig = z.neg().lanewise(VectorOperators.EXP).add(1f);
      z.div(sig).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
    }
    for (; i < len; i++) {
      float z = gate[i];
      gate[i] = z / (1f + (float) Math.exp(-z)) * up[i];
    }
  }

  /** acc[i] += x[i] for i in [0, len). */
  static void add(float[] acc, float[] x, int len) {
    int upper = F.loopBound(len);
    int i = 0;
    for (; i < upper; i += F.length()) {
      FloatVector.fromArray(F, acc, i).add(FloatVector.fromArray(F, x, i)).intoArray(acc, i);
    }
    for (; i < len; i++) {
      acc[i] += x[i];
    }
  }
}
