package dev.tandem.bench.model;

import dev.tandem.model.kernel.ActivationBuffer;
import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.Kernels;
import dev.tandem.model.kernel.KvStore;
import dev.tandem.model.kernel.Layouts;
import dev.tandem.model.kernel.TensorData;
import dev.tandem.model.kernel.Weight;
import dev.tandem.model.kernel.nd4j.Nd4jKernels;
import dev.tandem.model.kernel.nd4j.Nd4jKernels.Path;
import dev.tandem.model.kernel.vector.VectorKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Per-operation timings of the {@code nd4j} backend (both paths) against {@code vector}, in one run
 * (a benchmark, not a test): matmul {@code [n, d] · [4d, d]ᵀ} for n = 1..8 and d = 128, 256, 1024;
 * attention of one sequence over 256 cached positions; RMSNorm. Prints microseconds per call (the
 * best of several batches: the machine is shared, the best batch is the least disturbed) and what
 * ND4J's fixed per-call cost is, measured on a 1×8·8×8 matmul.
 *
 * <pre>
 * ./tandem bench kernels [attention]
 * </pre>
 */
public final class Nd4jKernelBench {
  private static final long WARMUP_NANOS = 500_000_000L;
  private static final long BATCH_NANOS = 10_000_000L;
  private static final int BATCHES = 15;

  private Nd4jKernelBench() {}

  public static void main(String[] args) {
    List<Kernels> backends = new ArrayList<>();
    backends.add(new Nd4jKernels(Path.FUSED_HOST));
    backends.add(new Nd4jKernels(Path.ND4J_OPS));
    backends.add(new VectorKernels());
    String[] names = {"nd4j", "nd4j-ops", "vector"};
    boolean attentionOnly = args.length > 0 && args[0].equals("attention");
    try (Arena arena = Arena.ofShared()) {
      if (attentionOnly) {
        attentionTable(backends, names);
      } else {
        all(arena, backends, names);
      }
    } finally {
      for (Kernels k : backends) {
        k.close();
      }
    }
  }

  /** Every table. */
  private static void all(Arena arena, List<Kernels> backends, String[] names) {
    System.out.printf(
        Locale.ROOT,
        "ND4J fixed cost per matmul call ([1,8]·[8,8]ᵀ): %.1f µs%n%n",
        matmul(backends.get(0), weight(arena, 8, 8), 1));
    System.out.println("matmul [n, d] · [4d, d]ᵀ, µs per call (nd4j = both paths: same op)");
    System.out.printf(
        Locale.ROOT,
        "%6s %3s %10s %10s %8s %12s%n",
        "d",
        "n",
        "nd4j",
        "vector",
        "ratio",
        "nd4j GFLOP/s");
    for (int d : new int[] {128, 256, 1024}) {
      TensorData w = weight(arena, 4 * d, d);
      Weight wn = backends.get(0).weight(w);
      Weight wv = backends.get(2).weight(w);
      for (int n = 1; n <= 8; n++) {
        double tn = matmul(backends.get(0), wn, n);
        double tv = matmul(backends.get(2), wv, n);
        double gflops = 2.0 * n * d * 4 * d / (tn * 1e3);
        System.out.printf(
            Locale.ROOT, "%6d %3d %10.1f %10.1f %8.2f %12.2f%n", d, n, tn, tv, tn / tv, gflops);
      }
    }
    System.out.println();
    attentionTable(backends, names);
    System.out.println("residual add d=1024, µs per call");
    System.out.printf(Locale.ROOT, "%6s %10s %10s %10s%n", "rows", names[0], names[1], names[2]);
    for (int n : new int[] {1, 8}) {
      System.out.printf(Locale.ROOT, "%6d", n);
      for (Kernels k : backends) {
        ActivationBuffer acc = filled(k, 8, 1024);
        ActivationBuffer x = filled(k, 8, 1024);
        System.out.printf(Locale.ROOT, " %10.1f", micros(() -> k.add(acc, x, n)));
      }
      System.out.println();
    }
    System.out.println();
    System.out.println("rmsNorm d=1024, µs per call");
    System.out.printf(Locale.ROOT, "%6s %10s %10s %10s%n", "rows", names[0], names[1], names[2]);
    TensorData gamma = weight(arena, 1, 1024);
    for (int n : new int[] {1, 8}) {
      System.out.printf(Locale.ROOT, "%6d", n);
      for (Kernels k : backends) {
        System.out.printf(Locale.ROOT, " %10.1f", rmsNorm(k, k.weight(gamma), n));
      }
      System.out.println();
    }
  }

  private static void attentionTable(List<Kernels> backends, String[] names) {
    System.out.println("attention, 16 heads / 4 KV heads x 64, µs per call");
    System.out.printf(
        Locale.ROOT, "%6s %6s %10s %10s %10s%n", "cached", "rows", names[0], names[1], names[2]);
    for (int cached : new int[] {64, 512}) {
      for (int count : new int[] {1, 2, 4, 8}) {
        System.out.printf(Locale.ROOT, "%6d %6d", cached, count);
        for (Kernels k : backends) {
          System.out.printf(Locale.ROOT, " %10.1f", attention(k, cached, count));
        }
        System.out.println();
      }
    }
    System.out.println();
  }

  /** A random F32 weight {@code [rows, cols]} in off-heap memory, like a mapped file. */
  private static TensorData weight(Arena arena, int rows, int cols) {
    Random random = new Random(rows * 31L + cols);
    long n = (long) rows * cols;
    MemorySegment data = arena.allocate(n * 4 + 8, 64).asSlice(8, n * 4);
    for (long i = 0; i < n; i++) {
      data.set(Layouts.F32_LE, i * 4, random.nextFloat() * 2 - 1);
    }
    long[] shape = rows == 1 ? new long[] {cols} : new long[] {rows, cols};
    return new TensorData("w" + rows + "x" + cols, DType.F32, shape, data);
  }

  private static ActivationBuffer filled(Kernels k, int rows, int cols) {
    ActivationBuffer b = k.buffer(rows, cols);
    float[] values = new float[rows * cols];
    Random random = new Random(7);
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextFloat() * 2 - 1;
    }
    k.write(values, 0, rows, b);
    return b;
  }

  private static double matmul(Kernels k, TensorData w, int n) {
    return matmul(k, k.weight(w), n);
  }

  private static double matmul(Kernels k, Weight w, int n) {
    ActivationBuffer x = filled(k, 8, w.cols());
    ActivationBuffer out = k.buffer(8, w.rows());
    return micros(() -> k.matmul(x, w, n, out));
  }

  private static double attention(Kernels k, int cached, int count) {
    int heads = 16;
    int kvHeads = 4;
    int headDim = 64;
    KvStore kv = k.kvStore(1, cached + count, kvHeads * headDim);
    ActivationBuffer q = filled(k, 8, heads * headDim);
    ActivationBuffer kb = filled(k, 8, kvHeads * headDim);
    ActivationBuffer v = filled(k, 8, kvHeads * headDim);
    ActivationBuffer out = k.buffer(8, heads * headDim);
    for (int p = 0; p < cached; p += 8) {
      k.attention(0, kv, p, q, kb, v, 0, 8, heads, kvHeads, out);
    }
    return micros(() -> k.attention(0, kv, cached, q, kb, v, 0, count, heads, kvHeads, out));
  }

  private static double rmsNorm(Kernels k, Weight gamma, int n) {
    ActivationBuffer x = filled(k, 8, gamma.cols());
    ActivationBuffer out = k.buffer(8, gamma.cols());
    return micros(() -> k.rmsNorm(x, gamma, 1e-5f, n, out));
  }

  /** Best batch average in µs, after a warm-up (JIT) of {@link #WARMUP_NANOS}. */
  private static double micros(Runnable op) {
    // at least WARMUP_NANOS and 500 calls (the Vector API is slow until C2 has compiled it, which
    // takes long on a busy machine), at most 5 s
    long start0 = System.nanoTime();
    for (int calls = 0; ; calls++) {
      long elapsed = System.nanoTime() - start0;
      if ((elapsed >= WARMUP_NANOS && calls >= 500) || elapsed > 5_000_000_000L) {
        break;
      }
      op.run();
    }
    double best = Double.MAX_VALUE;
    for (int b = 0; b < BATCHES; b++) {
      long start = System.nanoTime();
      long calls = 0;
      long now;
      do {
        op.run();
        calls++;
        now = System.nanoTime();
      } while (now - start < BATCH_NANOS);
      best = Math.min(best, (now - start) / 1e3 / calls);
    }
    return best;
  }
}
