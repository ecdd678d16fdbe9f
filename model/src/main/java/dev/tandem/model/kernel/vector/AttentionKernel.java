package dev.tandem.model.kernel.vector;

import java.util.Arrays;
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
    int capacity = kv.capacity();
    float[] keysT = kv.keys[layer]; // [kvDim, capacity]
    float[] values = kv.values[layer]; // [capacity, kvDim]
    // store the new rows' k, v at positions startPos .. startPos + count - 1
    for (int j = 0; j < count; j++) {
      int pos = startPos + j;
      int kRow = (rowStart + j) * kvDim;
      for (int c = 0; c < kvDim; c++) {
        keysT[c * capacity + pos] = k[kRow + c];
      }
      System.arraycopy(v, kRow, values, pos * kvDim, kvDim);
    }
    int qDim = nHeads * headDim;
    int group = nHeads / nKvHeads;
    float scale = (float) (1.0 / Math.sqrt(headDim));
    float[] scores = kv.scores;
    for (int j = 0; j < count; j++) {
      int row = rowStart + j;
      int positions = startPos + j + 1; // causal: attends to positions [0, startPos + j]
      for (int h = 0; h < nHeads; h++) {
        int qOff = row * qDim + h * headDim;
        int kvOff = (h / group) * headDim;
        // scores[t] = q · K[t] / sqrt(headDim), accumulated one key feature at a time
        Arrays.fill(scores, 0, positions, 0f);
        for (int d = 0; d < headDim; d++) {
          axpy(q[qOff + d] * scale, keysT, (kvOff + d) * capacity, scores, 0, positions);
        }
        softmaxInPlace(scores, positions);
        // out = sum_t p[t] * V[t]
        int oOff = row * qDim + h * headDim;
        Arrays.fill(out, oOff, oOff + headDim, 0f);
        for (int t = 0; t < positions; t++) {
          axpy(scores[t], values, t * kvDim + kvOff, out, oOff, headDim);
        }
      }
    }
  }

  /** p = softmax(p[0..n)), subtracting the max first. */
  private static void softmaxInPlace(float[] p, int n) {
    int upper = F.loopBound(n);
    float max = Float.NEGATIVE_INFINITY;
    int t = 0;
    for (; t < upper; t += F.length()) {
      max = Math.max(max, FloatVector.fromArray(F, p, t).reduceLanes(VectorOperators.MAX));
    }
    for (; t < n; t++) {
      max = Math.max(max, p[t]);
    }
    FloatVector sums = FloatVector.zero(F);
    for (t = 0; t < upper; t += F.length()) {
      FloatVector e = FloatVector.fromArray(F, p, t).sub(max).lanewise(VectorOperators.EXP);
      e.intoArray(p, t);
      sums = sums.add(e);
    }
    float sum = sums.reduceLanes(VectorOperators.ADD);
    for (; t < n; t++) {
      p[t] = (float) Math.exp(p[t] - max);
      sum += p[t];
    }
    float inv = 1f / sum;
    for (t = 0; t < upper; t += F.length()) {
      FloatVector.fromArray(F, p, t).mul(inv).intoArray(p, t);
    }
    for (; t < n; t++) {
      p[t] *= inv;
    }
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
