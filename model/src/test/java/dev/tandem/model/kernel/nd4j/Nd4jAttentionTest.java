package dev.tandem.model.kernel.nd4j;

import static dev.tandem.model.kernel.nd4j.Nd4jKernelsTest.check;

import dev.tandem.model.kernel.ActivationBuffer;
import dev.tandem.model.kernel.Kernels;
import dev.tandem.model.kernel.KvStore;
import dev.tandem.model.kernel.nd4j.Nd4jKernels.Path;
import dev.tandem.model.kernel.vector.VectorKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Nd4jKernels#attention} on both paths against the double-precision reference and the {@code
 * vector} backend, through a sequence's life: a prefill, a decode step from a row that is not row 0
 * of the buffers, block scoring, a rollback that overwrites positions already written, and a block
 * of 9 rows after it. GQA (4 heads, 2 KV heads), MQA (4, 1) and MHA (3, 3). Each path also runs
 * with attention forced onto the batched ND4J ops, which the CPU path uses only for large blocks.
 * Tolerance {@value Nd4jKernelsTest#TOLERANCE} absolute on every output.
 */
class Nd4jAttentionTest {
  static final int HEAD_DIM = 18;
  static final int ROWS = 12; // buffer row capacity
  static final int CAPACITY = 32; // KV positions
  static final int LAYERS = 2;

  /** (startPos, rowStart, count): each step continues or rolls back the sequence. */
  static final int[][] STEPS = {
    {0, 0, 7}, // prefill 7 tokens
    {7, 2, 1}, // decode one token, the sequence's row is row 2 of a batch
    {8, 0, 5}, // score a block of 5 drafted tokens: positions 8..12
    {10, 1, 3}, // rollback: 2 accepted, positions 10..12 are overwritten
    {13, 3, 9}, // a block of 9
  };

  static Stream<Arguments> shapes() {
    List<Arguments> list = new ArrayList<>();
    for (Path path : Path.values()) {
      list.add(Arguments.of(path, 4, 2));
      list.add(Arguments.of(path, 4, 1));
      list.add(Arguments.of(path, 3, 3));
    }
    return list.stream();
  }

  /** One backend's state for the scenario: buffers and a KV store. */
  static final class Side {
    final Kernels kernels;
    final KvStore kv;
    final ActivationBuffer q;
    final ActivationBuffer k;
    final ActivationBuffer v;
    final ActivationBuffer out;

    Side(Kernels kernels, int qDim, int kvDim) {
      this.kernels = kernels;
      kv = kernels.kvStore(LAYERS, CAPACITY, kvDim);
      q = kernels.buffer(ROWS, qDim);
      k = kernels.buffer(ROWS, kvDim);
      v = kernels.buffer(ROWS, kvDim);
      out = kernels.buffer(ROWS, qDim);
    }

    /** Runs one step on {@code layer}; returns all rows of out. */
    float[] step(int layer, int[] s, float[] qs, float[] ks, float[] vs, int nHeads, int nKvHeads) {
      kernels.write(qs, 0, ROWS, q);
      kernels.write(ks, 0, ROWS, k);
      kernels.write(vs, 0, ROWS, v);
      float[] sentinel = new float[ROWS * out.cols()];
      Arrays.fill(sentinel, Nd4jKernelsTest.SENTINEL);
      kernels.write(sentinel, 0, ROWS, out);
      kernels.attention(layer, kv, s[0], q, k, v, s[1], s[2], nHeads, nKvHeads, out);
      float[] all = new float[ROWS * out.cols()];
      kernels.read(out, ROWS, all, 0);
      return all;
    }
  }

  @ParameterizedTest(name = "{0} heads={1} kvHeads={2}")
  @MethodSource("shapes")
  void sequenceWithRollbackMatchesReference(Path path, int nHeads, int nKvHeads) {
    Random random = new Random(31L * nHeads + nKvHeads);
    try (Nd4jKernels nd4j = new Nd4jKernels(path);
        Nd4jKernels mixed = new Nd4jKernels(path, 0); // attention always as ND4J ops
        VectorKernels vector = new VectorKernels()) {
      run(nd4j, vector, nHeads, nKvHeads, random);
      run(mixed, vector, nHeads, nKvHeads, random);
    }
  }

  /** The whole scenario on {@code nd4j} and {@code vector} against the reference. */
  private static void run(
      Nd4jKernels nd4j, VectorKernels vector, int nHeads, int nKvHeads, Random random) {
    int qDim = nHeads * HEAD_DIM;
    int kvDim = nKvHeads * HEAD_DIM;
    Side a = new Side(nd4j, qDim, kvDim);
    Side b = new Side(vector, qDim, kvDim);
    Reference.KvCache[] reference = {
      new Reference.KvCache(CAPACITY, kvDim), new Reference.KvCache(CAPACITY, kvDim)
    };
    for (int[] s : STEPS) {
      // both layers get different data: a store must keep its layers apart
      for (int layer = LAYERS - 1; layer >= 0; layer--) {
        float[] qs = Reference.random(random, ROWS * qDim, 2f);
        float[] ks = Reference.random(random, ROWS * kvDim, 2f);
        float[] vs = Reference.random(random, ROWS * kvDim, 1f);
        float[] got = a.step(layer, s, qs, ks, vs, nHeads, nKvHeads);
        float[] vec = b.step(layer, s, qs, ks, vs, nHeads, nKvHeads);
        double[] expected =
            reference[layer].attend(s[0], qs, ks, vs, s[1], s[2], nHeads, nKvHeads, HEAD_DIM);
        // compare the sequence's rows; rows outside it must be untouched
        float[] gotRows = shift(got, s[1], s[2], qDim);
        float[] vecRows = shift(vec, s[1], s[2], qDim);
        String what = "layer " + layer + " step " + Arrays.toString(s);
        check(expected, gotRows, vecRows, s[2], qDim, what);
      }
    }
  }

  /**
   * Rows [rowStart, rowStart + count) moved to the front; the other rows after them, so that {@link
   * Nd4jKernelsTest#check} finds the untouched rows (still the sentinel) past count.
   */
  static float[] shift(float[] all, int rowStart, int count, int cols) {
    float[] out = new float[ROWS * cols];
    System.arraycopy(all, rowStart * cols, out, 0, count * cols);
    System.arraycopy(all, 0, out, count * cols, rowStart * cols);
    int after = (rowStart + count) * cols;
    System.arraycopy(all, after, out, (rowStart + count) * cols, all.length - after);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void concurrentSequencesOnOneInstanceGetTheirOwnResults(Path path) throws Exception {
    int nHeads = 4;
    int nKvHeads = 2;
    int qDim = nHeads * HEAD_DIM;
    int kvDim = nKvHeads * HEAD_DIM;
    int threads = 4;
    try (Nd4jKernels nd4j = new Nd4jKernels(path);
        ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long seed = 100 + t;
        futures.add(
            pool.submit(
                () -> {
                  Random random = new Random(seed);
                  Side side = new Side(nd4j, qDim, kvDim);
                  Reference.KvCache reference = new Reference.KvCache(CAPACITY, kvDim);
                  for (int round = 0; round < 10; round++) {
                    for (int[] s : STEPS) {
                      float[] qs = Reference.random(random, ROWS * qDim, 2f);
                      float[] ks = Reference.random(random, ROWS * kvDim, 2f);
                      float[] vs = Reference.random(random, ROWS * kvDim, 1f);
                      float[] got = side.step(0, s, qs, ks, vs, nHeads, nKvHeads);
                      double[] expected =
                          reference.attend(
                              s[0], qs, ks, vs, s[1], s[2], nHeads, nKvHeads, HEAD_DIM);
                      float[] rows = shift(got, s[1], s[2], qDim);
                      check(expected, rows, rows, s[2], qDim, "thread seed " + seed);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    }
  }

  static Stream<Path> paths() {
    return Stream.of(Path.values());
  }
}
