package dev.tandem.model.kernel.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.model.Backend;
import dev.tandem.model.Logits;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Sequence;
import dev.tandem.model.format.Json;
import dev.tandem.model.kernel.nd4j.Nd4jKernels.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden logits of the tiny models (PyTorch float32 reference, {@code tools/reference}) through
 * the whole forward pass on the {@code nd4j} backend, both paths: F32 with GQA, BF16 tied with MQA,
 * F16 sharded with MHA. Same files and tolerance ({@value #TOLERANCE} max abs) as the vector
 * backend's {@code GoldenLogitsTest}; this class loads them itself because that one is bound to its
 * package.
 */
class Nd4jGoldenLogitsTest {
  static final float TOLERANCE = 1e-4f;
  static final List<String> MODELS =
      List.of("tiny-gqa-f32", "tiny-mqa-bf16-tied", "tiny-mha-f16-sharded");

  static ModelRuntime runtime;

  @BeforeAll
  static void start() {
    runtime = new ModelRuntime(1);
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  record GoldenSequence(int[] tokens, float[][] logits) {}

  static Stream<Arguments> cases() {
    List<Arguments> list = new ArrayList<>();
    for (String model : MODELS) {
      for (Path path : Path.values()) {
        list.add(Arguments.of(model, path));
      }
    }
    return list.stream();
  }

  static java.nio.file.Path dir(String name) {
    try {
      return java.nio.file.Path.of(
              Nd4jGoldenLogitsTest.class.getResource("/models/" + name + "/golden.json").toURI())
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<GoldenSequence> golden(String name) {
    try {
      Map<?, ?> g =
          (Map<?, ?>) Json.parse(Files.readString(dir(name).resolve("golden.json")), name);
      List<GoldenSequence> out = new ArrayList<>();
      for (Object o : (List<?>) g.get("sequences")) {
        Map<?, ?> m = (Map<?, ?>) o;
        int[] tokens =
            ((List<?>) m.get("tokens")).stream().mapToInt(t -> ((Number) t).intValue()).toArray();
        List<?> rows = (List<?>) m.get("logits");
        float[][] logits = new float[rows.size()][];
        for (int r = 0; r < logits.length; r++) {
          List<?> row = (List<?>) rows.get(r);
          logits[r] = new float[row.size()];
          for (int j = 0; j < logits[r].length; j++) {
            logits[r][j] = ((Number) row.get(j)).floatValue();
          }
        }
        out.add(new GoldenSequence(tokens, logits));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads the model on the nd4j backend, on {@code path}. */
  static Model load(String name, Path path) throws IOException {
    String previous = System.getProperty(Nd4jKernels.PATH_PROPERTY);
    System.setProperty(Nd4jKernels.PATH_PROPERTY, path.name());
    try {
      Model model = runtime.load(dir(name), ModelOptions.DEFAULT.withBackend(Backend.ND4J));
      assertEquals("nd4j", model.backend());
      return model;
    } finally {
      if (previous == null) {
        System.clearProperty(Nd4jKernels.PATH_PROPERTY);
      } else {
        System.setProperty(Nd4jKernels.PATH_PROPERTY, previous);
      }
    }
  }

  static <T> T onModelThread(Callable<T> task) {
    return runtime.submit(task).join();
  }

  /** Logits rows [0, rows) equal golden rows [from, from + rows) within the tolerance. */
  static void assertLogits(float[][] golden, int from, Logits actual, String what) {
    for (int r = 0; r < actual.rows(); r++) {
      float[] g = golden[from + r];
      assertEquals(g.length, actual.vocab(), what + ": vocab");
      for (int j = 0; j < g.length; j++) {
        float err = Math.abs(g[j] - actual.data()[r * actual.vocab() + j]);
        if (!(err <= TOLERANCE)) {
          throw new AssertionError(
              String.format(
                  "%s: position %d token %d: |%f - %f| = %g > %g",
                  what, from + r, j, g[j], actual.data()[r * actual.vocab() + j], err, TOLERANCE));
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void prefillGivesReferenceLogitsForEveryPosition(String name, Path path) throws IOException {
    try (Model model = load(name, path)) {
      for (GoldenSequence g : golden(name)) {
        Sequence seq = model.newSequence(32);
        Logits logits = onModelThread(() -> model.forward(seq, g.tokens()));
        assertEquals(g.tokens().length, logits.rows());
        assertLogits(g.logits(), 0, logits, name + " prefill");
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void decodeStepsThenBlockScoringAfterRollback(String name, Path path) throws IOException {
    GoldenSequence g = golden(name).get(0);
    int[] t = g.tokens();
    try (Model model = load(name, path)) {
      Sequence seq = model.newSequence(16);
      Logits last = onModelThread(() -> model.prefill(seq, Arrays.copyOfRange(t, 0, 4)));
      assertLogits(g.logits(), 3, last, name + " prefill last row");
      for (int p = 4; p < 6; p++) {
        int[] one = {t[p]};
        assertLogits(g.logits(), p, onModelThread(() -> model.forward(seq, one)), name + " decode");
      }
      // a rejected draft: 4 wrong tokens scored, then rolled back to the accepted length 5
      onModelThread(() -> model.forward(seq, new int[] {7, 8, 9, 10}));
      seq.truncate(5);
      Logits block = onModelThread(() -> model.forward(seq, Arrays.copyOfRange(t, 5, 12)));
      assertEquals(7, block.rows());
      assertLogits(g.logits(), 5, block, name + " block after rollback");
    }
  }
}
