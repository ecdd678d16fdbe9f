package dev.tandem.router.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import dev.tandem.router.api.GenerationRequest.SpeculationOverride;
import dev.tandem.router.api.GenerationRequest.TextPrompt;
import dev.tandem.speccore.DraftLengthChooser;
import dev.tandem.speccore.LoopState;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.StepCosts;
import dev.tandem.speccore.Verifier;
import dev.tandem.speccore.VerifierSession;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Which chooser a request gets, and the latency prior a sampled request keeps for its life. */
class DraftLengthChoosersTest {

  private static final SpeculationSettings AUTO =
      new SpeculationSettings(8, SpeculationMode.AUTO, 4, 0, Duration.ofSeconds(1));

  /**
   * A sampled request never learns latencies (a seed must reproduce its output), so its prior
   * decides: at α = 0.3 one draft token saves 0.3 of a verify call. Against a 2 ms local call that
   * does not pay for the draft and the extra position; against a remote call (20 ms) it does.
   */
  @Test
  void aSampledRequestOnARemoteTierDraftsWhereOnALocalOneItDecodesPlain() {
    LoopState lowAlpha = new LoopState(10, 64, 9, 12, 4, 21, 0.3);
    assertEquals(0, chooser(true).chooseK(lowAlpha), "local prior: a 2 ms call");
    assertTrue(chooser(false).chooseK(lowAlpha) > 0, "remote prior: a 20 ms call");
  }

  private static DraftLengthChooser chooser(boolean local) {
    Verifier verifier =
        new Verifier() {
          @Override
          public String name() {
            return local ? "local" : "remote";
          }

          @Override
          public CompletionStage<VerifierSession> open(
              int[] promptTokens, SamplingParams params, int maxLength) {
            throw new UnsupportedOperationException("not opened here");
          }

          @Override
          public boolean isLocal() {
            return local;
          }
        };
    Tier tier = new Tier("large", "m", verifier, null, 1 << 20, 0);
    return DraftLengthChoosers.forRequest(
        sampled(), AUTO, tier, 16, () -> new StepCosts(), () -> 1);
  }

  private static GenerationRequest sampled() {
    return new GenerationRequest(
        "large",
        new TextPrompt("hello"),
        64,
        new SamplingParams(0.8f, 1f, 0, 7),
        List.of(),
        GenerationRequest.Budget.NONE,
        new SpeculationOverride(SpeculationMode.AUTO, 0, "auto"),
        GenerationRequest.CacheMode.BYPASS,
        Map.of(),
        false,
        GenerationRequest.TierPins.NONE,
        false);
  }
}
