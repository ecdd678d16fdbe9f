package dev.tandem.router.engine;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import dev.tandem.router.api.GenerationRequest.SpeculationOverride;
import dev.tandem.router.api.GenerationRequest.TextPrompt;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.streaming.ChunkWriter;
import java.util.List;
import java.util.Map;

/** The request and the chunk writer the engine's failure tests share. */
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

  /** Collects the streamed text; never full. */
  record TextWriter(StringBuilder text) implements ChunkWriter {
    @Override
    public void writeDelta(String delta, int[] tokens) {
      text.append(delta);
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public void drainHandler(Runnable handler) {}
  }
}
