package dev.tandem.model;

import static dev.tandem.model.TinyModels.onModelThread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tandem.model.TinyModels.GoldenGreedy;
import dev.tandem.speccore.SamplingParams;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Greedy generation with the KV cache equals the reference's full-recompute greedy tokens. */
class GreedyGenerationTest {

  static List<String> models() {
    return TinyModels.NAMES;
  }

  /** Prefill, then one-token decode steps, choosing argmax with the greedy {@link Sampler}. */
  static int[] generate(ModelRuntime runtime, Model model, int[] prompt, int n) {
    return onModelThread(
        runtime,
        () -> {
          Sampler sampler = new Sampler(SamplingParams.GREEDY);
          Sequence seq = model.newSequence(prompt.length + n);
          int[] out = new int[n];
          Logits logits = model.prefill(seq, prompt);
          for (int i = 0; i < n; i++) {
            out[i] = sampler.sample(logits.last()).token();
            if (i + 1 < n) {
              logits = model.forward(seq, new int[] {out[i]});
            }
          }
          return out;
        });
  }

  @ParameterizedTest
  @MethodSource("models")
  void greedyTokensEqualReference(String name) throws IOException {
    try (ModelRuntime runtime = new ModelRuntime(1);
        Model model = runtime.load(TinyModels.dir(name), ModelOptions.DEFAULT)) {
      for (GoldenGreedy g : TinyModels.golden(name).greedy()) {
        assertArrayEquals(g.tokens(), generate(runtime, model, g.prompt(), g.tokens().length));
      }
    }
  }
}
