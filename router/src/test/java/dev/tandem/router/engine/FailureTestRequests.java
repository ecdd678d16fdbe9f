package dev.tandem.router.engine;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import dev.tandem.router.api.GenerationRequest.SpeculationOverride;
import dev.tandem.router.api.GenerationRequest.TextPrompt;
import dev.tandem.speccore.SamplingParams;
import java.util.List;
import java.util.Map;

/** The request the engine's failure tests share. */
final class FailureTestRequests {

  private FailureTestRequests() {}

  /** A greedy request to tier "large" for {@code maxTokens} tokens at a fixed k = 4. */
  static GenerationRequest greedyFixedK4(int maxTokens) {
    return new GenerationRequest(
        "large",
        new TextPrompt("hello"),
        maxTokens,
        SamplingParams.GREEDY,
        List.of(),
        GenerationRequest.Budget.NONE,
        new SpeculationOverride(SpeculationMode.FIXED, 4, "auto"),
        GenerationRequest.CacheMode.BYPASS,
        Map.of(),
        false,
        GenerationRequest.TierPins.NONE,
        false);
  }
}
