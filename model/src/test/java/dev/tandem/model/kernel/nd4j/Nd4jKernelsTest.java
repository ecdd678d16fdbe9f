package dev.tandem.model.kernel.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.model.kernel.ActivationBuffer;
import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.Kernels;
import dev.tandem.model.kernel.RopeTable;
import dev.tandem.model.kernel.TensorData;
import dev.tandem.model.kernel.Weight;
import dev.tandem.model.kernel.nd4j.Nd4jKernels.Path;
import dev.tandem.model.kernel.vector.VectorKernels;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every element-wise kernel and matmul of {@link Nd4jKernels}, on both of its paths, against the
 * double-precision {@link Reference} and against the {@code vector} backend, on random data for
 * every row count 1..9. Tolerance: {@value #TOLERANCE} absolute (the interface's bound), for every
 * element. Rows past n must be left as they were.
 */
class Nd4jKernelsTest {
  static final double TOLERANCE = 1e-4;
  static final int MAX_ROWS = 9;
  static final int DIM = 72; // 4 heads x 18: not a multiple of the vector width, tails included
  static final int FFN = 100;
  static final int VOCAB = 37;
  static final float SENTINEL = 12345f;

  static Arena arena;
  static VectorKernels vector;

  @BeforeAll
  static void start() {
    arena = Arena.ofShared();
    vector = new VectorKernels();
  }

  @AfterAll
  static void stop() {
    vector.close();
    arena.close();
  }

  /** Runs ops on one backend with host arrays in and out. */
  record Run(Kernels kernels) {
    ActivationBuffer buffer(float[] rows, int cols) {
      ActivationBuffer b = kernels.buffer(MAX_ROWS, cols);
      float[] full = new float[MAX_ROWS * cols];
      Arrays.fill(full, SENTINEL);
      System.arraycopy(rows, 0, full, 0, rows.length);
      kernels.write(full, 0, MAX_ROWS, b);
      return b;
    }

    float[] all(ActivationBuffer b) {
      float[] out = new float[MAX_ROWS * b.cols()];
      kernels.read(b, MAX_ROWS, out, 0);
      return out;
    }
  }

  /** First n rows match {@code expected}; the rows after are still the sentinel. */
  static void assertRows(double[] expected, float[] actual, int n, int cols, String what) {
    for (int i = 0; i < n * cols; i++) {
      if (!(Math.abs(expected[i] - actual[i]) <= TOLERANCE)) {
        throw new AssertionError(
            what + ": |" + expected[i] + " - " + actual[i] + "| > " + TOLERANCE + " at " + i);
      }
    }
    for (int i = n * cols; i < MAX_ROWS * cols; i++) {
      assertEquals(SENTINEL, actual[i], what + ": row past n written at " + i);
    }
  }

  static double[] widen(float[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      d[i] = values[i];
    }
    return d;
  }

  /** Checks nd4j against the reference, and vector against nd4j (same bound). */
  static void check(double[] reference, float[] nd4j, float[] vec, int n, int cols, String what) {
    assertRows(reference, nd4j, n, cols, "nd4j vs reference, " + what);
    assertRows(widen(nd4j), vec, n, cols, "vector vs nd4j, " + what);
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void matmulOfEveryDtypeMatchesReference(Path path) {
    Random random = new Random(1);
    try (Nd4jKernels nd4j = new Nd4jKernels(path)) {
      for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
        float[] w = Reference.random(random, FFN * DIM, 0.5f);
        TensorData t = Reference.tensor(arena, "w." + dtype, dtype, w, FFN, DIM);
        float[] stored = Reference.quantized(w, dtype);
        Weight wn = nd4j.weight(t);
        Weight wv = vector.weight(t);
        for (int n = 1; n <= MAX_ROWS; n++) {
          float[] x = Reference.random(random, n * DIM, 1f);
          float[][] results = new float[2][];
          int i = 0;
          for (Run run : new Run[] {new Run(nd4j), new Run(vector)}) {
            ActivationBuffer out = run.buffer(new float[0], FFN);
            run.kernels().matmul(run.buffer(x, DIM), i == 0 ? wn : wv, n, out);
            results[i++] = run.all(out);
          }
          double[] expected = Reference.matmul(x, n, stored, FFN, DIM);
          check(expected, results[0], results[1], n, FFN, "matmul " + dtype + " n=" + n);
        }
      }
    }
  }

  @Test
  void matmulOfALargeWeightIntoAWiderBufferOnEveryRowCount() {
    // > 16 MiB: the CPU path switches from per-row gemv to sgemm at 4 rows, padding 5-7 to 8;
    // the output buffer is wider than the weight has rows: columns past them are not written
    Random random = new Random(6);
    int rows = 4100;
    int cols = 1030;
    float[] w = Reference.random(random, rows * cols, 0.5f);
    TensorData t = Reference.tensor(arena, "big", DType.F32, w, rows, cols);
    try (Nd4jKernels nd4j = new Nd4jKernels()) {
      Weight weight = nd4j.weight(t);
      Run run = new Run(nd4j);
      ActivationBuffer out = run.buffer(new float[0], rows + 3);
      for (int n = 1; n <= MAX_ROWS; n++) {
        float[] x = Reference.random(random, n * cols, 1f);
        nd4j.matmul(run.buffer(x, cols), weight, n, out);
        float[] got = run.all(out);
        double[] expected = Reference.matmul(x, n, w, rows, cols);
        for (int r = 0; r < MAX_ROWS; r++) {
          for (int c = 0; c < rows + 3; c++) {
            float actual = got[r * (rows + 3) + c];
            if (r < n && c < rows) {
              assertEquals(
                  expected[r * rows + c], actual, TOLERANCE, "n=" + n + " at " + r + "," + c);
            } else if (r >= n || c >= rows) {
              assertEquals(
                  SENTINEL, actual, "n=" + n + " wrote outside [n, w.rows()] at " + r + "," + c);
            }
          }
        }
        nd4j.write(sentinels(MAX_ROWS * (rows + 3)), 0, MAX_ROWS, out);
      }
    }
  }

  static float[] sentinels(int length) {
    float[] s = new float[length];
    Arrays.fill(s, SENTINEL);
    return s;
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void rmsNormOutOfPlaceAndInPlace(Path path) {
    Random random = new Random(2);
    float eps = 1e-5f;
    float[] gamma = Reference.random(random, DIM, 1f);
    TensorData g = Reference.tensor(arena, "norm", DType.F32, gamma, DIM);
    try (Nd4jKernels nd4j = new Nd4jKernels(path)) {
      Weight gn = nd4j.weight(g);
      Weight gv = vector.weight(g);
      for (int n = 1; n <= MAX_ROWS; n++) {
        float[] x = Reference.random(random, n * DIM, 3f);
        double[] expected = Reference.rmsNorm(x, gamma, eps, n, DIM);
        for (boolean inPlace : new boolean[] {false, true}) {
          float[][] results = new float[2][];
          int i = 0;
          for (Run run : new Run[] {new Run(nd4j), new Run(vector)}) {
            ActivationBuffer in = run.buffer(x, DIM);
            ActivationBuffer out = inPlace ? in : run.buffer(new float[0], DIM);
            run.kernels().rmsNorm(in, i == 0 ? gn : gv, eps, n, out);
            results[i++] = run.all(out);
          }
          check(expected, results[0], results[1], n, DIM, "rmsNorm n=" + n + " inPlace=" + inPlace);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void ropeForQueryAndKeyHeadsAtScatteredPositions(Path path) {
    Random random = new Random(3);
    int headDim = 18;
    RopeTable table = new RopeTable(headDim, 10000.0, 64);
    try (Nd4jKernels nd4j = new Nd4jKernels(path)) {
      for (int heads : new int[] {4, 2, 1}) {
        int cols = heads * headDim;
        for (int n = 1; n <= MAX_ROWS; n++) {
          float[] x = Reference.random(random, n * cols, 2f);
          int[] positions = new int[n + 2]; // longer than n: only the first n count
          for (int r = 0; r < positions.length; r++) {
            positions[r] = random.nextInt(64);
          }
          float[][] results = new float[2][];
          int i = 0;
          for (Run run : new Run[] {new Run(nd4j), new Run(vector)}) {
            ActivationBuffer b = run.buffer(x, cols);
            run.kernels().rope(b, n, heads, positions, table);
            results[i++] = run.all(b);
          }
          double[] expected = Reference.rope(x, n, heads, headDim, positions, 10000.0);
          check(expected, results[0], results[1], n, cols, "rope heads=" + heads + " n=" + n);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void siluMulAddEmbedGatherAndTransfers(Path path) {
    Random random = new Random(4);
    float[] table = Reference.random(random, VOCAB * DIM, 1f);
    TensorData t = Reference.tensor(arena, "embed", DType.BF16, table, VOCAB, DIM);
    float[] stored = Reference.quantized(table, DType.BF16);
    try (Nd4jKernels nd4j = new Nd4jKernels(path)) {
      Weight tn = nd4j.weight(t);
      Weight tv = vector.weight(t);
      for (int n = 1; n <= MAX_ROWS; n++) {
        float[] gate = Reference.random(random, n * FFN, 4f);
        float[] up = Reference.random(random, n * FFN, 1f);
        float[] acc = Reference.random(random, n * DIM, 1f);
        float[] x = Reference.random(random, n * DIM, 1f);
        int[] tokens = random.ints(n, 0, VOCAB).toArray();
        int[] rows = random.ints(n, 0, n).toArray();
        float[][][] results = new float[2][][];
        int i = 0;
        for (Run run : new Run[] {new Run(nd4j), new Run(vector)}) {
          Kernels k = run.kernels();
          ActivationBuffer g = run.buffer(gate, FFN);
          k.siluMul(g, run.buffer(up, FFN), n);
          ActivationBuffer a = run.buffer(acc, DIM);
          k.add(a, run.buffer(x, DIM), n);
          ActivationBuffer e = run.buffer(new float[0], DIM);
          k.embed(i == 0 ? tn : tv, tokens, n, e);
          ActivationBuffer gathered = run.buffer(new float[0], DIM);
          k.gatherRows(a, rows, n, gathered);
          results[i++] = new float[][] {run.all(g), run.all(a), run.all(e), run.all(gathered)};
        }
        double[] sumRef = new double[n * DIM];
        double[] embedRef = new double[n * DIM];
        for (int r = 0; r < n; r++) {
          for (int c = 0; c < DIM; c++) {
            sumRef[r * DIM + c] = (double) acc[r * DIM + c] + x[r * DIM + c];
            embedRef[r * DIM + c] = stored[tokens[r] * DIM + c];
          }
        }
        double[] gatherRef = new double[n * DIM];
        for (int j = 0; j < n; j++) {
          System.arraycopy(sumRef, rows[j] * DIM, gatherRef, j * DIM, DIM);
        }
        String at = " n=" + n;
        check(
            Reference.siluMul(gate, up, n * FFN),
            results[0][0],
            results[1][0],
            n,
            FFN,
            "siluMul" + at);
        check(sumRef, results[0][1], results[1][1], n, DIM, "add" + at);
        check(embedRef, results[0][2], results[1][2], n, DIM, "embed" + at);
        check(gatherRef, results[0][3], results[1][3], n, DIM, "gatherRows" + at);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void buffersMovingBetweenThreadsKeepWorking(Path path) throws Exception {
    // a sequence's passes may run on different model threads: prepared matmuls must not care
    Random random = new Random(5);
    float[] w = Reference.random(random, FFN * DIM, 0.5f);
    try (Nd4jKernels nd4j = new Nd4jKernels(path);
        java.util.concurrent.ExecutorService pool =
            java.util.concurrent.Executors.newFixedThreadPool(3)) {
      Weight weight = nd4j.weight(Reference.tensor(arena, "w", DType.F32, w, FFN, DIM));
      Run run = new Run(nd4j);
      ActivationBuffer x = run.buffer(new float[0], DIM);
      ActivationBuffer out = run.buffer(new float[0], FFN);
      for (int i = 0; i < 12; i++) {
        int n = 1 + i % 5;
        float[] xs = Reference.random(random, n * DIM, 1f);
        float[] got =
            pool.submit(
                    () -> {
                      nd4j.write(xs, 0, n, x);
                      nd4j.matmul(x, weight, n, out);
                      float[] r = new float[n * FFN];
                      nd4j.read(out, n, r, 0);
                      return r;
                    })
                .get();
        double[] expected = Reference.matmul(xs, n, w, FFN, DIM);
        for (int j = 0; j < expected.length; j++) {
          assertEquals(expected[j], got[j], TOLERANCE, "pass " + i + " element " + j);
        }
      }
    }
  }

  @Test
  void f32WeightsAreTheMappedMemoryNotACopy() {
    float[] w = {1, 2, 3, 4, 5, 6};
    TensorData t = Reference.tensor(arena, "w", DType.F32, w, 2, 3);
    try (Nd4jKernels nd4j = new Nd4jKernels()) {
      Weight weight = nd4j.weight(t);
      Run run = new Run(nd4j);
      ActivationBuffer out = run.buffer(new float[0], 2);
      ActivationBuffer x = run.buffer(new float[] {1, 1, 1}, 3);
      nd4j.matmul(x, weight, 1, out);
      assertEquals(6f, run.all(out)[0]);
      t.data().set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0, 101f);
      nd4j.matmul(x, weight, 1, out);
      assertEquals(106f, run.all(out)[0], "the weight sees a write to the file's memory");
    }
  }

  @Test
  void defaultPathOnTheCpuIsFusedHostAndNd4jLogsOnlyWarnings() {
    try (Nd4jKernels nd4j = new Nd4jKernels()) {
      assertEquals("nd4j", nd4j.name());
      assertEquals(Path.FUSED_HOST, nd4j.path());
      // with SLF4J bound to JUL (the router), this is what hides ND4J's start-up banner
      assertEquals(
          java.util.logging.Level.WARNING,
          java.util.logging.Logger.getLogger("org.nd4j").getLevel());
    }
  }

  @Test
  void pathPropertyIsValidated() {
    String previous = System.getProperty(Nd4jKernels.PATH_PROPERTY);
    System.setProperty(Nd4jKernels.PATH_PROPERTY, "gpu");
    try {
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class, Nd4jKernels::new);
      assertEquals("tandem.nd4j.path must be fused_host or nd4j_ops, got gpu", e.getMessage());
    } finally {
      if (previous == null) {
        System.clearProperty(Nd4jKernels.PATH_PROPERTY);
      } else {
        System.setProperty(Nd4jKernels.PATH_PROPERTY, previous);
      }
    }
  }
}
