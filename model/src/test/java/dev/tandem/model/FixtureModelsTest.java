package dev.tandem.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tandem.model.format.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bundled fixture models ({@code fixtures/models/tandem-verifier}, {@code tandem-draft}: BF16,
 * vocabulary 2048) against {@code fixtures/models/greedy-golden.json}, written by {@code
 * tools/fixtures/measure_acceptance.py} with PyTorch from the same files: for every case, the
 * prompt's ids (BOS + tokenizer ids), the first 32 greedy tokens, and the first step's top-5 logits
 * (max abs error ≤ {@value #LOGIT_TOLERANCE}).
 */
class FixtureModelsTest {
  static final Path FIXTURES = Path.of("..", "fixtures", "models");
  static final float LOGIT_TOLERANCE = 1e-3f;
  static ModelRuntime runtime;
  static List<Map<?, ?>> cases;

  @BeforeAll
  static void start() throws IOException {
    runtime = new ModelRuntime(1);
    Path golden = FIXTURES.resolve("greedy-golden.json");
    Map<?, ?> g = (Map<?, ?>) Json.parse(Files.readString(golden), golden.toString());
    cases = ((List<?>) g.get("cases")).stream().<Map<?, ?>>map(c -> (Map<?, ?>) c).toList();
    assertFalse(cases.isEmpty(), "greedy-golden.json has no cases");
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  /** The prompt text as the golden script renders it: plain, or chat messages + "Assistant:". */
  static String promptText(Object prompt) {
    if (prompt instanceof String s) {
      return s;
    }
    StringBuilder b = new StringBuilder();
    for (Object m : (List<?>) prompt) {
      Map<?, ?> msg = (Map<?, ?>) m;
      String role = (String) msg.get("role");
      b.append(Character.toUpperCase(role.charAt(0)))
          .append(role.substring(1))
          .append(": ")
          .append(msg.get("content"))
          .append("\n\n");
    }
    return b.append("Assistant:").toString();
  }

  @ParameterizedTest
  @ValueSource(strings = {"verifier", "draft"})
  void greedyGenerationAndTokenizerMatchTheGolden(String role) throws IOException {
    try (Model model = runtime.load(FIXTURES.resolve("tandem-" + role), ModelOptions.DEFAULT)) {
      assertEquals(2048, model.config().vocabSize());
      for (Map<?, ?> c : cases) {
        String what = role + " " + c.get("id");
        int[] promptIds = TinyModels.ints(c.get("prompt_ids"));
        int[] encoded = model.tokenizer().encode(promptText(c.get("prompt")));
        int[] withBos =
            IntStream.concat(IntStream.of(model.config().bosTokenId()), Arrays.stream(encoded))
                .toArray();
        assertArrayEquals(promptIds, withBos, what + ": prompt ids");

        Map<?, ?> expected = (Map<?, ?>) c.get(role);
        int[] greedy = TinyModels.ints(expected.get("greedy_ids"));
        float[][] first = new float[1][];
        int[] generated =
            TinyModels.onModelThread(
                runtime,
                () -> {
                  Sequence seq = model.newSequence(promptIds.length + greedy.length);
                  Logits logits = model.prefill(seq, promptIds);
                  first[0] = logits.last();
                  int[] out = new int[greedy.length];
                  for (int i = 0; i < out.length; i++) {
                    out[i] = logits.argmax(0);
                    if (i + 1 < out.length) {
                      logits = model.forward(seq, new int[] {out[i]});
                    }
                  }
                  return out;
                });
        assertArrayEquals(greedy, generated, what + ": greedy ids");
        for (Object top : (List<?>) expected.get("first_top5")) {
          List<?> pair = (List<?>) top;
          int id = ((Number) pair.get(0)).intValue();
          float logit = ((Number) pair.get(1)).floatValue();
          assertEquals(logit, first[0][id], LOGIT_TOLERANCE, what + ": first-step logit of " + id);
        }
      }
    }
  }
}
