package dev.tandem.model.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Causal grouped-query attention over one sequence's KV cache (see {@code Kernels#attention}). */
final class AttentionKernel {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  private AttentionKernel() {}

  static void attend(
      int layer,
      VectorKvStore kv,
      int startPos,
      float[] q,
      float[] k,
      float[] v,
      int rowStart,
      int count,
      int nHeads,
      int nKvHeads,
      int headDim,
      float[] out) {
    int kvDim = kv.kvDim();
    float[] keys = kv.keys[layer]; // [capacity, kvDim]
    float[] values = kv.values[layer]; // [capacity, kvDim]
    // store the new rows' k, v at positions startPos .. startPos + count - 1
    for (int j = 0; j < count; j++) {
      System.arraycopy(k, (rowStart + j) * kvDim, keys, (startPos + j) * kvDim, kvDim);
      System.arraycopy(v, (rowStart + j) * kvDim, values, (startPos + j) * kvDim, kvDim);
    }
    int qDim = nHeads * headDim;
    int group = nHeads / nKvHeads;
    float scale = (float) (1.0 / Math.sqrt(headDim));
    float[] scores = kv.scores;
    for (int j = 0; j < count; j++) {
      int row = rowStart + j;
      int last = startPos + j; // attends to positions [0, last]
      for (int h = 0; h < nHeads; h++) {
        int qOff = row * qDim + h * headDim;
        int kvOff = (h / group) * headDim;
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t <= last; t++) {
          float s = dot(q, qOff, keys, t * kvDim + kvOff, headDim) * scale;
          scores[t] = s;
          max = Math.max(max, s);
        }
        float sum = 0f;
        for (int t = 0; t <= last; t++) {
          float e = (float) Math.exp(scores[t] - max);
          scores[t] = e;
          sum += e;
        }
        float inv = 1f / sum;
        int oOff = row * qDim + h * headDim;
        java.util.Arrays.fill(out, oOff, oOff + headDim, 0f);
        for (int t = 0; t <= last; t++) {
          axpy(scores[t] * inv, values, t * kvDim + kvOff, out, oOff, headDim);
        }
      }
    }
  }

  private static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
    int i = 0;
    float sum = 0f;
    if (len >= F.length()) {
      FloatVector acc = FloatVector.zero(F);
      int upper = F.loopBound(len);
      for (; i < upper; i += F.length()) {
        acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
      }
      sum = acc.reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  /** y[yOff ..+len] += alpha * x[xOff ..+len]. */
  private static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
    int i = 0;
    if (len >= F.length()) {
      int upper = F.loopBound(len);
      for (; i < upper; i += F.length()) {
        FloatVector.fromArray(F, x, xOff + i)
            .fma(FloatVector.broadcast(F, alpha), FloatVector.fromArray(F, y, yOff + i))
            .intoArray(y, yOff + i);
      }
    }
    for (; i < len; i++) {
      y[yOff + i] += alpha * x[xOff + i];
    }
  }
}
