package dev.tandem.router.synthetic;

import dev.tandem.draft.NoDrafter;
import dev.tandem.draft.PromptLookupDrafter;
import dev.tandem.router.RouterServer;
import dev.tandem.router.RouterState;
import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.connections.ConnectionTimers;
import dev.tandem.router.connections.NetTransports;
import dev.tandem.router.engine.GenerationEngine;
import dev.tandem.router.engine.SpeculationSettings;
import dev.tandem.router.engine.Tier;
import dev.tandem.router.engine.TierDrafters;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.speccore.AcceptanceStatsRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A router on a loopback port over the synthetic backend (no model): the transport tests' server
 * and the router overhead benchmark's ({@code load-tests}). Test code, shipped in the router's test
 * jar only: production builds its engine from the config, and the config has no synthetic verifier.
 *
 * <p>Its drafter is the synthetic one, named {@code synthetic} and the default; {@code ngram} and
 * {@code none} are there too.
 *
 * <p>Threading: construct and close it off the event loops (both block until the server is up or
 * down).
 */
public final class SyntheticRouter implements AutoCloseable {

  /** How the backend's verdicts are released. */
  public enum Pacing {
    /**
     * Gathered into 1 ms ticks on an event loop ({@link PacingTimer}); the tick's lateness counts.
     */
    TICKS,
    /** Each at its own due time, from a thread of its own ({@link SpreadPacing}). */
    SPREAD
  }

  public final Vertx vertx;

  /** The network transport it serves on ({@code server.transport}). */
  public final NetTransports.Choice transport;

  public final SyntheticBackend backend;
  private final SpreadPacing spread;
  public final RouterServer server;
  public final int port;

  /**
   * @param paceMillis time between a session's verdicts
   * @param alpha probability that each draft token is right
   * @param maxTokens the request limit on max_tokens
   */
  public SyntheticRouter(double paceMillis, double alpha, int maxTokens) {
    this(paceMillis, alpha, maxTokens, RouterMetrics.disabled());
  }

  /**
   * As {@link #SyntheticRouter(double, double, int)}, recording {@code metrics} as the production
   * router does (per verify call and per request) and serving them at {@code /metrics}.
   */
  public SyntheticRouter(double paceMillis, double alpha, int maxTokens, RouterMetrics metrics) {
    this(paceMillis, alpha, maxTokens, metrics, Optional.empty());
  }

  /** As above, serving TLS with {@code tls} when present (gRPC and HTTP on the one port). */
  public SyntheticRouter(
      double paceMillis,
      double alpha,
      int maxTokens,
      RouterMetrics metrics,
      Optional<TandemConfig.Tls> tls) {
    this(paceMillis, alpha, metrics, transportConfig(maxTokens, tls));
  }

  /**
   * As {@link #SyntheticRouter(double, double, int)} with {@code connections} as the listener's
   * connection limits (header sizes, timeouts, connection count, HTTP/2 resets).
   */
  public SyntheticRouter(
      double paceMillis, double alpha, int maxTokens, TandemConfig.Connections connections) {
    this(
        paceMillis,
        alpha,
        RouterMetrics.disabled(),
        withConnections(transportConfig(maxTokens), connections));
  }

  /**
   * As {@link #SyntheticRouter(double, double, int)} with its verdicts released as {@code pacing}
   * says, on {@code transport}.
   */
  public SyntheticRouter(
      double paceMillis,
      double alpha,
      int maxTokens,
      Pacing pacing,
      TandemConfig.NetTransport transport) {
    this(
        paceMillis,
        alpha,
        RouterMetrics.disabled(),
        withTransport(transportConfig(maxTokens), transport),
        ConnectionTimers.NETTY,
        pacing);
  }

  /** A router on {@code config} (its server, limits and TLS; the engine is the synthetic one). */
  public SyntheticRouter(
      double paceMillis, double alpha, RouterMetrics metrics, TandemConfig config) {
    this(paceMillis, alpha, metrics, config, ConnectionTimers.NETTY);
  }

  /** As above, with the listener's connection timers scheduled by {@code timers}. */
  public SyntheticRouter(
      double paceMillis,
      double alpha,
      RouterMetrics metrics,
      TandemConfig config,
      ConnectionTimers timers) {
    this(paceMillis, alpha, metrics, config, timers, Pacing.TICKS);
  }

  private SyntheticRouter(
      double paceMillis,
      double alpha,
      RouterMetrics metrics,
      TandemConfig config,
      ConnectionTimers timers,
      Pacing pacing) {
    transport = NetTransports.choose(config.server());
    vertx = NetTransports.vertx(transport);
    spread = pacing == Pacing.SPREAD ? new SpreadPacing() : null;
    backend =
        new SyntheticBackend(
            paceMillis,
            alpha,
            spread != null ? spread::releaseAt : new PacingTimer(vertx)::releaseAt);
    Tier tier =
        new Tier(
            "large",
            "synthetic-large",
            metrics.meter(backend.verifier(), "large", "synthetic", "remote"),
            backend.codec(),
            1 << 20,
            1e-6);
    GenerationEngine engine =
        new GenerationEngine(
            Map.of("large", tier),
            "large",
            Map.of(
                "large",
                new TierDrafters(
                    Map.of(
                        "synthetic", backend.drafter(),
                        "ngram", new PromptLookupDrafter(1, 3),
                        "none", new NoDrafter()),
                    "synthetic")),
            new SpeculationSettings(8, GenerationRequest.SpeculationMode.AUTO, 4, 1e-8),
            new AcceptanceStatsRegistry(),
            metrics);
    RouterState state = RouterState.of(config, engine, 1, Instant.now(), Map.of());
    server = new RouterServer(vertx, config, () -> state, Optional.empty(), metrics, timers);
    port = server.start().toCompletionStage().toCompletableFuture().join();
  }

  /**
   * A config for a router whose engine is built by hand (the engine serves the requests, so the
   * tier here only names it): loopback, any port, {@code maxTokens} as the request limit, no admin,
   * no reload, no metrics.
   */
  public static TandemConfig transportConfig(int maxTokens) {
    return transportConfig(maxTokens, Optional.empty());
  }

  /** {@link #transportConfig(int)} with TLS when {@code tls} is present. */
  public static TandemConfig transportConfig(int maxTokens, Optional<TandemConfig.Tls> tls) {
    return new TandemConfig(
        new TandemConfig.Server("127.0.0.1", 0),
        new TandemConfig.Admin(false, false),
        tls,
        new TandemConfig.Reload(false, Duration.ofSeconds(1), Duration.ZERO),
        new TandemConfig.Metrics(false),
        new TandemConfig.Limits(maxTokens, Math.min(16, maxTokens), 4096, 64 * 1024, 0, 10_000),
        new TandemConfig.Runtime(TandemConfig.RuntimeBackend.AUTO, 1),
        new TandemConfig.Drafting(TandemConfig.DrafterKind.NGRAM, Optional.empty(), 1, 3, 1e-5),
        new TandemConfig.Speculation(8, TandemConfig.SpeculationMode.AUTO, 4),
        List.of(
            new TandemConfig.Tier(
                "large",
                new TandemConfig.InProcess(Path.of("synthetic-large"), 1024),
                0.001,
                TandemConfig.DrafterKind.NGRAM,
                List.of(TandemConfig.DrafterKind.NGRAM, TandemConfig.DrafterKind.NONE))),
        "large");
  }

  /** {@code config} listening with {@code connections} as its connection limits. */
  public static TandemConfig withConnections(
      TandemConfig config, TandemConfig.Connections connections) {
    TandemConfig.Server s = config.server();
    return withServer(
        config, new TandemConfig.Server(s.host(), s.port(), connections, s.h2c(), s.transport()));
  }

  /** {@code config} on {@code transport} ({@code server.transport}). */
  public static TandemConfig withTransport(
      TandemConfig config, TandemConfig.NetTransport transport) {
    TandemConfig.Server s = config.server();
    return withServer(
        config, new TandemConfig.Server(s.host(), s.port(), s.connections(), s.h2c(), transport));
  }

  /** {@code config} listening as {@code server} says. */
  public static TandemConfig withServer(TandemConfig config, TandemConfig.Server server) {
    return new TandemConfig(
        server,
        config.admin(),
        config.tls(),
        config.reload(),
        config.metrics(),
        config.limits(),
        config.runtime(),
        config.drafting(),
        config.speculation(),
        config.tiers(),
        config.defaultTier(),
        config.cost());
  }

  /** The text the synthetic verifier produces for any prompt, first {@code n} characters. */
  public static String expectedText(int n) {
    String unit = "The quick brown fox jumps over the lazy dog. ";
    return unit.repeat(n / unit.length() + 1).substring(0, n);
  }

  @Override
  public void close() {
    // The pacing timer's periodic tick ends with the Vert.x instance.
    server.close().toCompletionStage().toCompletableFuture().join();
    vertx.close().toCompletionStage().toCompletableFuture().join();
    if (spread != null) {
      spread.close();
    }
  }
}
