package dev.tandem.router.engine;

import dev.tandem.router.accounting.Tenant;
import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import dev.tandem.router.api.GenerationRequest.SpeculationOverride;
import dev.tandem.router.api.GenerationRequest.TextPrompt;
import dev.tandem.router.synthetic.SyntheticBackend;
import dev.tandem.speccore.AcceptanceStatsRegistry;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.Verifier;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An engine over the synthetic backend, its request and how to run it: the engine tests' shared
 * part.
 */
final class SyntheticEngines {

  private SyntheticEngines() {}

  /**
   * One tier, {@code large}, over {@code verifier} with the backend's codec, drafted by {@code
   * drafter} (named {@code drafterName}) at a fixed k = 4.
   */
  static GenerationEngine engine(
      SyntheticBackend backend,
      Verifier verifier,
      String drafterName,
      DraftProposer drafter,
      GenerationObserver observer) {
    return new GenerationEngine(
        Map.of(
            "large",
            new Tier("large", "synthetic-large", verifier, backend.codec(), 1 << 20, 1e-6)),
        "large",
        Map.of("large", new TierDrafters(Map.of(drafterName, drafter), drafterName)),
        new SpeculationSettings(8, SpeculationMode.FIXED, 4, 1e-8, Duration.ofMillis(50)),
        new AcceptanceStatsRegistry(),
        observer);
  }

  /** Starts {@code request} on a context of {@code vertx}; completes with how its stream ended. */
  static CompletableFuture<StreamEnd> run(
      Vertx vertx, GenerationEngine engine, GenerationRequest request, ChunkWriter writer) {
    CompletableFuture<StreamEnd> end = new CompletableFuture<>();
    vertx.runOnContext(
        v ->
            engine
                .start(request, Tenant.ANONYMOUS, Vertx.currentContext(), writer)
                .completion()
                .onSuccess(end::complete));
    return end;
  }

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
