package dev.tandem.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tandem.model.format.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;

/**
 * The tiny test models under {@code src/test/resources/models} and their golden values, made by
 * {@code tools/reference/make_tiny_models.py} with the PyTorch reference.
 */
final class TinyModels {
  static final List<String> NAMES =
      List.of("tiny-gqa-f32", "tiny-mqa-bf16-tied", "tiny-mha-f16-sharded");

  /**
   * Max abs error allowed vs. the float32 PyTorch reference. The same for every dtype: F16/BF16
   * weights are widened exactly to float32 by both sides, so only float32 summation order differs.
   */
  static final float TOLERANCE = 1e-4f;

  private TinyModels() {}

  static Path root() {
    try {
      return Path.of(TinyModels.class.getResource("/models/tokenizer.json").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path dir(String name) {
    return root().resolve(name);
  }

  /** One golden sequence: tokens and the reference logits {@code [tokens.length][vocab]}. */
  record GoldenSequence(int[] tokens, float[][] logits) {}

  /** A golden greedy continuation. */
  record GoldenGreedy(int[] prompt, int[] tokens) {}

  record Golden(List<GoldenSequence> sequences, List<GoldenGreedy> greedy) {}

  static Golden golden(String name) {
    try {
      Map<?, ?> g =
          (Map<?, ?>) Json.parse(Files.readString(dir(name).resolve("golden.json")), name);
      List<GoldenSequence> seqs =
          ((List<?>) g.get("sequences"))
              .stream()
                  .map(o -> (Map<?, ?>) o)
                  .map(m -> new GoldenSequence(ints(m.get("tokens")), matrix(m.get("logits"))))
                  .toList();
      List<GoldenGreedy> greedy =
          ((List<?>) g.get("greedy"))
              .stream()
                  .map(o -> (Map<?, ?>) o)
                  .map(m -> new GoldenGreedy(ints(m.get("prompt")), ints(m.get("tokens"))))
                  .toList();
      return new Golden(seqs, greedy);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int[] ints(Object list) {
    return ((List<?>) list).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
  }

  static float[][] matrix(Object rows) {
    List<?> r = (List<?>) rows;
    float[][] out = new float[r.size()][];
    for (int i = 0; i < out.length; i++) {
      List<?> row = (List<?>) r.get(i);
      out[i] = new float[row.size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = ((Number) row.get(j)).floatValue();
      }
    }
    return out;
  }

  /** Asserts logits rows {@code [0, rows)} equal golden rows {@code [from, from + rows)}. */
  static void assertLogits(
      float[][] golden, int from, Logits actual, float tolerance, String what) {
    for (int r = 0; r < actual.rows(); r++) {
      float[] g = golden[from + r];
      assertEquals(g.length, actual.vocab(), what + ": vocab");
      float maxErr = 0;
      int at = -1;
      for (int j = 0; j < g.length; j++) {
        float err = Math.abs(g[j] - actual.data()[r * actual.vocab() + j]);
        if (!(err <= maxErr)) {
          maxErr = err;
          at = j;
        }
      }
      if (!(maxErr <= tolerance)) {
        fail(
            String.format(
                "%s: position %d token %d: |%f - %f| = %g > %g",
                what,
                from + r,
                at,
                g[at],
                actual.data()[r * actual.vocab() + at],
                maxErr,
                tolerance));
      }
    }
  }

  /** Runs {@code task} on the model executor and waits, unwrapping exceptions. */
  static <T> T onModelThread(ModelRuntime runtime, Callable<T> task) {
    try {
      return runtime.submit(task).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }

  static int[] slice(int[] a, int from, int to) {
    return java.util.Arrays.copyOfRange(a, from, to);
  }
}
