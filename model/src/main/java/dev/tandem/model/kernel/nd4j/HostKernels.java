package dev.tandem.model.kernel.nd4j;

import dev.tandem.model.kernel.RopeTable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise and attention work of the CPU path as fused Java loops (Vector API) straight on
 * the host memory of ND4J arrays. On the CPU an ND4J op costs 5–45 µs of fixed overhead and an
 * RMSNorm is five of them, while the whole loop over a row takes about a microsecond at the sizes
 * of draft models; so only the matmuls, where the work is, go through ND4J.
 *
 * <p>All offsets are in floats; segments are native-order float32 (ND4J's and, on little-endian
 * hosts, the safetensors file's).
 */
final class HostKernels {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

  private HostKernels() {}

  private static FloatVector load(MemorySegment s, long index) {
    return FloatVector.fromMemorySegment(F, s, index * 4, ORDER);
  }

  private static float get(MemorySegment s, long index) {
    return s.get(FLOAT, index * 4);
  }

  private static void set(MemorySegment s, long index, float value) {
    s.set(FLOAT, index * 4, value);
  }

  /** {@code dst[dstRow, :] = src[srcRow, :]} for rows of {@code cols} floats. */
  static void copyRow(MemorySegment src, long srcRow, MemorySegment dst, long dstRow, int cols) {
    MemorySegment.copy(src, srcRow * cols * 4, dst, dstRow * cols * 4, (long) cols * 4);
  }

  /** RMSNorm of rows [0, n) of x: [n, d] into out (may be x); gamma: [d]. */
  static void rmsNorm(
      MemorySegment x, MemorySegment gamma, float eps, int n, int d, MemorySegment out) {
    int upper = F.loopBound(d);
    for (int r = 0; r < n; r++) {
      long base = (long) r * d;
      FloatVector acc = FloatVector.zero(F);
      int i = 0;
      for (; i < upper; i += F.length()) {
        FloatVector v = load(x, base + i);
        acc = v.fma(v, acc);
      }
      float ss = acc.reduceLanes(VectorOperators.ADD);
      for (; i < d; i++) {
        float v = get(x, base + i);
        ss += v * v;
      }
      float inv = (float) (1.0 / Math.sqrt(ss / d + eps));
      for (i = 0; i < upper; i += F.length()) {
        load(x, base + i)
            .mul(inv)
            .mul(load(gamma, i))
            .intoMemorySegment(out, (base + i) * 4, ORDER);
      }
      for (; i < d; i++) {
        set(out, base + i, get(x, base + i) * inv * get(gamma, i));
      }
    }
  }

  /** rotate_half RoPE in place on x: [n, nHeads * headDim], row r at positions[r]. */
  static void rope(MemorySegment x, int cols, int n, int nHeads, int[] positions, RopeTable table) {
    int headDim = cols / nHeads;
    int half = headDim / 2;
    float[] cos = table.cos();
    float[] sin = table.sin();
    for (int r = 0; r < n; r++) {
      int t = positions[r] * half;
      for (int h = 0; h < nHeads; h++) {
        long base = (long) r * cols + (long) h * headDim;
        for (int i = 0; i < half; i++) {
          float x1 = get(x, base + i);
          float x2 = get(x, base + half + i);
          float c = cos[t + i];
          float s = sin[t + i];
          set(x, base + i, x1 * c - x2 * s);
          set(x, base + half + i, x2 * c + x1 * s);
        }
      }
    }
  }

  /** gate[i] = silu(gate[i]) * up[i] for i in [0, len). */
  static void siluMul(MemorySegment gate, MemorySegment up, long len) {
    for (long i = 0; i < len; i++) {
      float z = get(gate, i);
      set(gate, i, z / (1f + (float) Math.exp(-z)) * get(up, i));
    }
  }

  /** acc[i] += x[i] for i in [0, len). */
  static void add(MemorySegment acc, MemorySegment x, long len) {
    long upper = F.loopBound(len);
    long i = 0;
    for (; i < upper; i += F.length()) {
      load(acc, i).add(load(x, i)).intoMemorySegment(acc, i * 4, ORDER);
    }
    for (; i < len; i++) {
      set(acc, i, get(acc, i) + get(x, i));
    }
  }

  /**
   * Causal GQA attention of one sequence's rows (see {@code Kernels#attention}); the new keys and
   * values are already stored. keys, values: [capacity, kvDim]; q, out: [rows, nHeads * headDim].
   * The query head and the output accumulator live on the heap ({@code query}, {@code acc}, at
   * least headDim floats each): reading and writing them through segments measured ~1.6× slower.
   */
  static void attend(
      MemorySegment keys,
      MemorySegment values,
      int kvDim,
      float[] scores,
      float[] query,
      float[] acc,
      int startPos,
      MemorySegment q,
      int rowStart,
      int count,
      int nHeads,
      int nKvHeads,
      int headDim,
      MemorySegment out) {
    int qDim = nHeads * headDim;
    int group = nHeads / nKvHeads;
    float scale = (float) (1.0 / Math.sqrt(headDim));
    for (int j = 0; j < count; j++) {
      int row = rowStart + j;
      int last = startPos + j; // attends to positions [0, last]
      for (int h = 0; h < nHeads; h++) {
        long qOff = (long) row * qDim + (long) h * headDim;
        int kvOff = (h / group) * headDim;
        MemorySegment.copy(q, FLOAT, qOff * 4, query, 0, headDim);
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t <= last; t++) {
          float s = dot(query, keys, (long) t * kvDim + kvOff, headDim) * scale;
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
        java.util.Arrays.fill(acc, 0, headDim, 0f);
        for (int t = 0; t <= last; t++) {
          axpy(scores[t] * inv, values, (long) t * kvDim + kvOff, acc, headDim);
        }
        MemorySegment.copy(acc, 0, out, FLOAT, qOff * 4, headDim);
      }
    }
  }

  /** dot(a[0 ..len), b[bOff ..+len)). */
  private static float dot(float[] a, MemorySegment b, long bOff, int len) {
    int upper = F.loopBound(len);
    FloatVector sums = FloatVector.zero(F);
    int i = 0;
    for (; i < upper; i += F.length()) {
      sums = FloatVector.fromArray(F, a, i).fma(load(b, bOff + i), sums);
    }
    float sum = sums.reduceLanes(VectorOperators.ADD);
    for (; i < len; i++) {
      sum += a[i] * get(b, bOff + i);
    }
    return sum;
  }

  /** y[0 ..len) += alpha * x[xOff ..+len]. */
  private static void axpy(float alpha, MemorySegment x, long xOff, float[] y, int len) {
    int upper = F.loopBound(len);
    FloatVector a = FloatVector.broadcast(F, alpha);
    int i = 0;
    for (; i < upper; i += F.length()) {
      load(x, xOff + i).fma(a, FloatVector.fromArray(F, y, i)).intoArray(y, i);
    }
    for (; i < len; i++) {
      y[i] += alpha * get(x, xOff + i);
    }
  }
}
