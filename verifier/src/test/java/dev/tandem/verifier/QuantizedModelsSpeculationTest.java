package dev.tandem.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Quantization;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.verifier.engine.EngineOptions;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Given the fixture models, quantized at load: with a Q8_0 or q4 drafter the speculative greedy
 * output is still exactly the (float) verifier's own greedy output, and with a quantized verifier
 * it is exactly the quantized verifier's own greedy output (exact with respect to the model that
 * serves, whatever the drafter's precision).
 */
class QuantizedModelsSpeculationTest {
  private static final Path VERIFIER = Path.of("../fixtures/models/tandem-verifier");
  private static final Path DRAFT = Path.of("../fixtures/models/tandem-draft");

  @ParameterizedTest(name = "drafter {0}, verifier {1}")
  @CsvSource({"q8_0, none", "q4, none", "q4, q8_0"})
  void greedySpeculationIsTheServingModelsOwnGreedyOutput(String drafter, String verifier)
      throws Exception {
    ModelOptions draftOptions =
        ModelOptions.DEFAULT.withQuantize(Quantization.parse(drafter, "drafter"));
    ModelOptions verifierOptions =
        ModelOptions.DEFAULT.withQuantize(Quantization.parse(verifier, "verifier"));
    try (ModelRuntime runtime = new ModelRuntime(1);
        ModelRuntime draftRuntime = new ModelRuntime(1);
        Model verifierModel = runtime.load(VERIFIER, verifierOptions);
        Model draftModel = draftRuntime.load(DRAFT, draftOptions);
        InProcessVerifier inProcess =
            new InProcessVerifier("tandem-verifier", verifierModel, EngineOptions.DEFAULTS)) {
      assertEquals(draftOptions.quantize(), draftModel.quantization());
      for (int seed = 0; seed < 3; seed++) {
        int[] prompt = new int[8];
        for (int i = 0; i < prompt.length; i++) {
          prompt[i] = 1 + Math.floorMod(seed * 7919 + i * 104_729, 2047);
        }
        int[] expected = TestModels.decode(verifierModel, prompt, SamplingParams.GREEDY, 48);
        int[] actual =
            Speculate.generate(
                    inProcess,
                    new ModelDrafter(draftModel, 128),
                    prompt,
                    SamplingParams.GREEDY,
                    4,
                    48)
                .toCompletableFuture()
                .join();
        assertArrayEquals(expected, actual, "prompt seed " + seed);
      }
      assertEquals(0, inProcess.engine().openSessions());
    }
  }
}
