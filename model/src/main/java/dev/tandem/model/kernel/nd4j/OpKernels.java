package dev.tandem.model.kernel.nd4j;

import dev.tandem.model.kernel.RopeTable;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The element-wise and attention work as ND4J ops only, never touching host memory: the path for
 * CUDA, where an array's data lives on the device. Each kernel is a short, fixed sequence of ops
 * whose number does not grow with heads or rows (attention is eight ops per sequence and layer,
 * with batched matmuls over KV heads), because on a GPU the launch count is the cost at these
 * sizes. On the CPU this path is correct but slower than {@link HostKernels}.
 *
 * <p>Allocation: no tensor memory per call (scratch lives in buffers and KV stores); ND4J views and
 * op descriptors are small Java objects made per call.
 *
 * <p>Thread-safe: the only shared state is the read-only RoPE and mask caches.
 */
final class OpKernels {
  /** Large negative score for masked positions: exp(it - max) is exactly 0, never NaN. */
  private static final float MASKED = -1e30f;

  /** RoPE tables as arrays: [cos | cos] and [-sin | sin], each [positions, headDim]. */
  private final Map<RopeTable, INDArray[]> ropeTables =
      Collections.synchronizedMap(new WeakHashMap<>());

  /** masks.get(c): [c, c], MASKED strictly above the diagonal, 0 elsewhere. */
  private final Map<Integer, INDArray> masks = new ConcurrentHashMap<>();

  static INDArray interval(INDArray rows, int from, int to) {
    return rows.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
  }

  private static int[] first(int[] values, int n) {
    return values.length == n ? values : Arrays.copyOf(values, n);
  }

  void embed(Nd4jWeight table, int[] tokens, int n, Nd4jBuffer out) {
    Nd4j.pullRows(table.matrix(), out.rows(n), 1, first(tokens, n));
  }

  void gatherRows(Nd4jBuffer src, int[] rows, int count, Nd4jBuffer dst) {
    Nd4j.pullRows(src.data, dst.rows(count), 1, first(rows, count));
  }

  void rmsNorm(Nd4jBuffer x, Nd4jWeight gamma, float eps, int n, Nd4jBuffer out) {
    INDArray in = x.rows(n); // [n, d]
    INDArray inv = x.rowScalars(n); // [n, 1]
    Nd4j.exec(new SquaredNorm(in, inv, true, 1));
    inv.muli(1.0 / x.cols()).addi(eps);
    Nd4j.exec(new RSqrt(inv, inv));
    INDArray o = out.rows(n);
    multiply(in, inv, o); // [n, d] * [n, 1]
    multiply(o, gamma.matrix(), o); // [n, d] * [1, d]
  }

  void rope(Nd4jBuffer x, int n, int nHeads, int[] positions, RopeTable table) {
    int headDim = table.headDim();
    int half = headDim / 2;
    INDArray[] cs = ropeTables.computeIfAbsent(table, OpKernels::ropeArrays);
    INDArray heads = x.rows(n).reshape('c', new long[] {n, nHeads, headDim});
    // swapped = rotate_half without the sign: [x2 | x1] per head (the sign is in the sin table)
    INDArray swapped = x.twin(n).reshape('c', new long[] {n, nHeads, headDim});
    lastDim(swapped, 0, half).assign(lastDim(heads, half, headDim));
    lastDim(swapped, half, headDim).assign(lastDim(heads, 0, half));
    int[] at = first(positions, n);
    INDArray cos = x.ropeScratch(0, n, headDim);
    INDArray sin = x.ropeScratch(1, n, headDim);
    Nd4j.pullRows(cs[0], cos, 1, at);
    Nd4j.pullRows(cs[1], sin, 1, at);
    cos = cos.reshape('c', new long[] {n, 1, headDim});
    sin = sin.reshape('c', new long[] {n, 1, headDim});
    multiply(heads, cos, heads);
    multiply(swapped, sin, swapped);
    heads.addi(swapped);
  }

  /** Columns [from, to) of the last dimension of a rank-3 array. */
  private static INDArray lastDim(INDArray a, int from, int to) {
    return a.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, to));
  }

  /** out = a * b with NumPy broadcasting (out may be a). */
  private static void multiply(INDArray a, INDArray b, INDArray out) {
    Nd4j.exec(DynamicCustomOp.builder("multiply").addInputs(a, b).addOutputs(out).build());
  }

  private static INDArray[] ropeArrays(RopeTable table) {
    int half = table.headDim() / 2;
    int positions = table.positions();
    float[] cos = new float[positions * table.headDim()];
    float[] sin = new float[positions * table.headDim()];
    for (int p = 0; p < positions; p++) {
      for (int i = 0; i < half; i++) {
        float c = table.cos()[p * half + i];
        float s = table.sin()[p * half + i];
        int base = p * table.headDim();
        cos[base + i] = c;
        cos[base + half + i] = c;
        sin[base + i] = -s;
        sin[base + half + i] = s;
      }
    }
    long[] shape = {positions, table.headDim()};
    return new INDArray[] {Nd4j.create(cos, shape, 'c'), Nd4j.create(sin, shape, 'c')};
  }

  void siluMul(Nd4jBuffer gate, Nd4jBuffer up, int n) {
    INDArray g = gate.rows(n);
    Nd4j.exec(new Swish(g, g));
    g.muli(up.rows(n));
  }

  void add(Nd4jBuffer acc, Nd4jBuffer x, int n) {
    acc.rows(n).addi(x.rows(n));
  }

  /** See {@code Kernels#attention}. */
  void attention(
      int layer,
      Nd4jKvStore kv,
      int startPos,
      Nd4jBuffer q,
      Nd4jBuffer k,
      Nd4jBuffer v,
      int rowStart,
      int count,
      int nHeads,
      int nKvHeads,
      Nd4jBuffer out) {
    int end = startPos + count; // positions [0, end) take part
    interval(kv.keys[layer], startPos, end).assign(k.rows(rowStart, rowStart + count));
    interval(kv.values[layer], startPos, end).assign(v.rows(rowStart, rowStart + count));
    int headDim = q.cols() / nHeads;
    int group = nHeads / nKvHeads;
    int queries = group * count; // query rows per KV head

    // q: [count, nKv, group, hd] -> [nKv, group, count, hd] (copy) = [nKv, queries, hd]
    INDArray qs = kv.queryScratch(nKvHeads, group, count, headDim);
    qs.assign(
        q.rows(rowStart, rowStart + count)
            .reshape('c', new long[] {count, nKvHeads, group, headDim})
            .permute(1, 2, 0, 3));
    INDArray q3 = qs.reshape('c', new long[] {nKvHeads, queries, headDim});
    // K, V: [end, nKv, hd] -> [nKv, end, hd] (strided views, no copy)
    INDArray k3 =
        interval(kv.keys[layer], 0, end)
            .reshape('c', new long[] {end, nKvHeads, headDim})
            .permute(1, 0, 2);
    INDArray v3 =
        interval(kv.values[layer], 0, end)
            .reshape('c', new long[] {end, nKvHeads, headDim})
            .permute(1, 0, 2);

    // scores: [nKv, queries, end] = q3 · k3ᵀ / sqrt(hd)
    INDArray scores = kv.scoreScratch(nKvHeads, queries, end);
    Nd4j.exec(
        DynamicCustomOp.builder("matmul")
            .addInputs(q3, k3)
            .addOutputs(scores)
            .addFloatingPointArguments(1.0 / Math.sqrt(headDim), 0.0)
            .addIntegerArguments(0, 1, 0)
            .build());
    if (count > 1) {
      // causal: row j may not see positions startPos + j' for j' > j (only the new block)
      INDArray block =
          scores
              .reshape('c', new long[] {nKvHeads, group, count, end})
              .get(
                  NDArrayIndex.all(),
                  NDArrayIndex.all(),
                  NDArrayIndex.all(),
                  NDArrayIndex.interval(startPos, end));
      Nd4j.exec(
          DynamicCustomOp.builder("add").addInputs(block, mask(count)).addOutputs(block).build());
    }
    Nd4j.exec(
        DynamicCustomOp.builder("softmax")
            .addInputs(scores)
            .addOutputs(scores)
            .addIntegerArguments(2)
            .build());

    // out: [nKv, queries, hd] = p · v3 -> [count, nKv, group, hd]
    INDArray o3 = kv.outScratch(nKvHeads, queries, headDim);
    Nd4j.exec(
        DynamicCustomOp.builder("matmul")
            .addInputs(scores, v3)
            .addOutputs(o3)
            .addIntegerArguments(0, 0, 0)
            .build());
    out.rows(rowStart, rowStart + count)
        .reshape('c', new long[] {count, nKvHeads, group, headDim})
        .assign(o3.reshape('c', new long[] {nKvHeads, group, count, headDim}).permute(2, 0, 1, 3));
  }

  private INDArray mask(int count) {
    return masks.computeIfAbsent(
        count,
        c -> {
          float[] m = new float[c * c];
          for (int i = 0; i < c; i++) {
            for (int j = i + 1; j < c; j++) {
              m[i * c + j] = MASKED;
            }
          }
          return Nd4j.create(m, new long[] {c, c}, 'c');
        });
  }
}
