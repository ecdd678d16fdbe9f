package dev.tandem.router;

import dev.tandem.draft.NoDrafter;
import dev.tandem.draft.PromptLookupDrafter;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.engine.GenerationEngine;
import dev.tandem.router.engine.SpeculationSettings;
import dev.tandem.router.engine.Tier;
import dev.tandem.router.synthetic.PacingTimer;
import dev.tandem.router.synthetic.SyntheticBackend;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;

/** A router on a loopback port over the synthetic backend (no model), for transport tests. */
final class SyntheticRouter implements AutoCloseable {

  final Vertx vertx;
  final SyntheticBackend backend;
  final RouterServer server;
  final int port;

  SyntheticRouter(double paceMillis, double alpha, int maxTokens) {
    vertx = Vertx.vertx();
    backend = new SyntheticBackend(paceMillis, alpha, new PacingTimer(vertx)::releaseAt);
    Tier tier =
        new Tier("large", "synthetic-large", backend.verifier(), backend.codec(), 1 << 20, 1e-6);
    GenerationEngine engine =
        new GenerationEngine(
            Map.of("large", tier),
            "large",
            Map.of(
                "model", backend.drafter(),
                "ngram", new PromptLookupDrafter(1, 3),
                "none", new NoDrafter()),
            "model",
            new SpeculationSettings(8, "auto", 4, 1e-8));
    TandemConfig config =
        new TandemConfig(
            new TandemConfig.Server("127.0.0.1", 0),
            new TandemConfig.Limits(maxTokens, Math.min(16, maxTokens), 4096, 64 * 1024, 0, 10_000),
            new TandemConfig.Runtime("auto", 1),
            new TandemConfig.Drafting("model", null, 1, 3, 0.00001),
            new TandemConfig.Speculation(8, "auto", 4),
            List.of(
                new TandemConfig.Tier(
                    "large",
                    "synthetic",
                    null,
                    List.of(),
                    0.001,
                    new TandemConfig.Synthetic(paceMillis, alpha),
                    1024,
                    null)),
            "large");
    server = new RouterServer(vertx, config, engine);
    port = server.start().toCompletionStage().toCompletableFuture().join();
  }

  /** The text the synthetic verifier produces for any prompt, first {@code n} characters. */
  static String expectedText(int n) {
    String unit = "The quick brown fox jumps over the lazy dog. ";
    return unit.repeat(n / unit.length() + 1).substring(0, n);
  }

  @Override
  public void close() {
    // The pacing timer's periodic tick ends with the Vert.x instance.
    server.close().toCompletionStage().toCompletableFuture().join();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
