package dev.tandem.router.metrics;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.cache.CacheKind;
import dev.tandem.router.cache.CacheMetrics;
import dev.tandem.router.engine.GenerationObserver;
import dev.tandem.router.engine.GenerationResult;
import dev.tandem.router.engine.Tier;
import dev.tandem.router.errors.ErrorMapping;
import dev.tandem.speccore.Verifier;
import dev.tandem.verifier.client.BreakerState;
import dev.tandem.verifier.client.BreakerStatus;
import dev.tandem.verifier.client.EndpointStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The router's metrics, exported in Prometheus text format at {@code GET /metrics}. OpenTelemetry
 * GenAI semantic-convention names where one exists ({@code gen_ai.server.time_to_first_token},
 * {@code gen_ai.server.time_per_output_token}, {@code gen_ai.server.request.duration}, {@code
 * gen_ai.client.token.usage}, labelled {@code gen_ai.request.model} = tier and {@code
 * gen_ai.operation.name}), Tandem's own under {@code tandem_*}. Labels take values from the config
 * (tier names) or small fixed sets only: never prompt text or request ids.
 *
 * <p>Threading: thread-safe; called from every event loop and model thread. Recording never blocks.
 */
public final class RouterMetrics implements GenerationObserver {

  /** OpenTelemetry's recommended boundaries for the GenAI latency histograms, in seconds. */
  private static final double[] LATENCY_BUCKETS_S = {
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0
  };

  /** OpenTelemetry's recommended boundaries for token counts. */
  private static final double[] TOKEN_BUCKETS = {
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576
  };

  private final PrometheusMeterRegistry registry;
  private final boolean enabled;
  private final AtomicInteger activeStreams = new AtomicInteger();
  private final AtomicInteger sessionsOpen = new AtomicInteger();
  private final Map<String, Supplier<List<EndpointStatus>>> endpointSources =
      new ConcurrentHashMap<>();
  private final Map<String, Supplier<List<BreakerStatus>>> breakerSources =
      new ConcurrentHashMap<>();

  private RouterMetrics(PrometheusMeterRegistry registry, boolean enabled) {
    this.registry = registry;
    this.enabled = enabled;
    if (enabled) {
      Gauge.builder("tandem.active.streams", activeStreams, AtomicInteger::get)
          .description("Generations running now")
          .register(registry);
      Gauge.builder("tandem.verifier.sessions.open", sessionsOpen, AtomicInteger::get)
          .description("Verifier sessions open now (all tiers)")
          .register(registry);
    }
  }

  /** Metrics recorded into {@code registry}. */
  public static RouterMetrics enabled(PrometheusMeterRegistry registry) {
    return new RouterMetrics(registry, true);
  }

  /** A fresh Prometheus registry. */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** Records nothing; {@code /metrics} answers 404. */
  public static RouterMetrics disabled() {
    return new RouterMetrics(null, false);
  }

  public boolean isEnabled() {
    return enabled;
  }

  /** The registry, when enabled (Vert.x's own metrics may share it). */
  public MeterRegistry registry() {
    return registry;
  }

  /** {@code GET /metrics}: the Prometheus text exposition. */
  public void serve(RoutingContext ctx) {
    if (!enabled) {
      ctx.response().setStatusCode(404);
      ctx.json(
          new JsonObject()
              .put("error", new JsonObject().put("message", "metrics are off (metrics.enabled)")));
      return;
    }
    ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape());
  }

  /**
   * Wraps a tier's verifier so that its calls, draft lengths and sessions are measured.
   *
   * @param weights the served model's weights: {@code none}, {@code q8_0} or {@code q4} for an
   *     in-process model, {@code remote} when they are not loaded here
   */
  public Verifier meter(Verifier verifier, String tier, String backend, String weights) {
    if (!enabled) {
      return verifier;
    }
    Tags tags = Tags.of("tier", tier, "backend", backend, "weights", weights);
    return new MeteredVerifier(
        verifier,
        endpoint ->
            Timer.builder("tandem.verifier.call.duration")
                .description(
                    "One verify call: score a draft block and accept a prefix (endpoint: the"
                        + " verifier server, empty when local)")
                .tags(tags.and("endpoint", endpoint))
                .serviceLevelObjectives(durations(LATENCY_BUCKETS_S))
                .register(registry),
        DistributionSummary.builder("tandem.draft.length")
            .description("Draft length k chosen per verify call (0 = plain decoding)")
            .tags(tags)
            .serviceLevelObjectives(0.5, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16) // le=0.5: plain steps
            .register(registry),
        sessionsOpen);
  }

  /**
   * Exposes the endpoints of a tier served by verifier servers: {@code
   * tandem_verifier_endpoint_healthy} (its health checks pass, 0/1) and {@code
   * tandem_verifier_endpoint_breaker} (one series per state, 1 for the current one), labelled by
   * tier and endpoint. A reload that builds the tier again replaces the source.
   */
  public void endpoints(String tier, Supplier<List<EndpointStatus>> source) {
    if (!enabled) {
      return;
    }
    endpointSources.put(tier, source);
    for (EndpointStatus status : source.get()) {
      String endpoint = status.endpoint();
      Gauge.builder(
              "tandem.verifier.endpoint.healthy",
              () -> endpointValue(tier, endpoint, s -> s.healthy() ? 1 : 0))
          .description("Whether the verifier endpoint's health checks pass")
          .tags(Tags.of("tier", tier, "endpoint", endpoint))
          .register(registry);
    }
    registerBreakers(tier, () -> source.get().stream().map(EndpointStatus::breakerStatus).toList());
  }

  /**
   * Exposes the circuit breakers of a tier whose servers are not health-checked (an
   * OpenAI-compatible tier: its base URL and fallbacks) as {@code tandem_verifier_endpoint_breaker}
   * , the same series a gRPC tier's endpoints have, labelled by tier and endpoint (the base URL). A
   * reload that builds the tier again replaces the source.
   */
  public void breakers(String tier, Supplier<List<BreakerStatus>> source) {
    if (!enabled) {
      return;
    }
    endpointSources.remove(tier); // the tier may have been a gRPC one before a reload
    registerBreakers(tier, source);
  }

  private void registerBreakers(String tier, Supplier<List<BreakerStatus>> source) {
    breakerSources.put(tier, source);
    for (BreakerStatus status : source.get()) {
      String endpoint = status.endpoint();
      for (BreakerState state : BreakerState.values()) {
        Gauge.builder("tandem.verifier.endpoint.breaker", () -> breakerValue(tier, endpoint, state))
            .description("The verifier endpoint's circuit breaker state (1 for the current one)")
            .tags(
                Tags.of(
                    "tier",
                    tier,
                    "endpoint",
                    endpoint,
                    "state",
                    state.name().toLowerCase(Locale.ROOT)))
            .register(registry);
      }
    }
  }

  /** The endpoint's value from the tier's current source; NaN when it is gone from the config. */
  private double endpointValue(
      String tier, String endpoint, java.util.function.ToIntFunction<EndpointStatus> value) {
    Supplier<List<EndpointStatus>> source = endpointSources.get(tier);
    if (source == null) {
      return Double.NaN;
    }
    for (EndpointStatus status : source.get()) {
      if (status.endpoint().equals(endpoint)) {
        return value.applyAsInt(status);
      }
    }
    return Double.NaN;
  }

  /** 1 when the endpoint's breaker is in {@code state}, else 0; NaN when the endpoint is gone. */
  private double breakerValue(String tier, String endpoint, BreakerState state) {
    Supplier<List<BreakerStatus>> source = breakerSources.get(tier);
    if (source == null) {
      return Double.NaN;
    }
    for (BreakerStatus status : source.get()) {
      if (status.endpoint().equals(endpoint)) {
        return status.state() == state ? 1 : 0;
      }
    }
    return Double.NaN;
  }

  /** Counts a config reload by outcome: applied, unchanged or rejected. */
  public void reload(String result) {
    if (enabled) {
      Counter.builder("tandem.config.reloads").tag("result", result).register(registry).increment();
    }
  }

  @Override
  public void started(GenerationRequest request, Tier tier) {
    if (enabled) {
      activeStreams.incrementAndGet();
    }
  }

  @Override
  public void drafterFailed(Tier tier, String drafter, Throwable cause) {
    if (enabled) {
      Counter.builder("tandem.drafter.failures")
          .description(
              "Requests whose drafter failed or timed out and that went on with plain decoding")
          .tags("tier", tier.name(), "drafter", drafter)
          .register(registry)
          .increment();
    }
  }

  @Override
  public void paused(Tier tier) {
    if (enabled) {
      Counter.builder("tandem.flow.control.pauses")
          .description(
              "Times a generation stopped because its client was not reading (write queue full)")
          .tags("tier", tier.name())
          .register(registry)
          .increment();
    }
  }

  @Override
  public void ended(Ended e) {
    if (!enabled) {
      return;
    }
    activeStreams.decrementAndGet();
    String operation =
        e.request().prompt() instanceof GenerationRequest.ChatPrompt ? "chat" : "text_completion";
    Tags tags =
        Tags.of("gen_ai.request.model", e.tier().name(), "gen_ai.operation.name", operation);
    String outcome;
    if (e.result() != null) {
      outcome = e.result().finishReason().name().toLowerCase(Locale.ROOT);
      recordResult(e, tags, e.result());
    } else {
      outcome = ErrorMapping.classify(e.error()).kind().name().toLowerCase(Locale.ROOT);
      Counter.builder("tandem.errors")
          .description("Generations that ended in an error, by status")
          .tags(tags.and("status", outcome))
          .register(registry)
          .increment();
    }
    Counter.builder("tandem.requests")
        .description("Generations ended, by finish reason (or error status)")
        .tags(tags.and("finish_reason", outcome))
        .register(registry)
        .increment();
    Timer.builder("gen_ai.server.request.duration")
        .description("Request start to last chunk")
        .tags(tags.and("error.type", e.result() != null ? "none" : outcome))
        .serviceLevelObjectives(durations(LATENCY_BUCKETS_S))
        .register(registry)
        .record(e.durationNanos(), TimeUnit.NANOSECONDS);
    if (e.ttftNanos() >= 0) {
      Timer.builder("gen_ai.server.time_to_first_token")
          .description("Request start to the first chunk with tokens")
          .tags(tags)
          .serviceLevelObjectives(durations(LATENCY_BUCKETS_S))
          .register(registry)
          .record(e.ttftNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void recordResult(Ended e, Tags tags, GenerationResult r) {
    summary("gen_ai.client.token.usage", tags.and("gen_ai.token.type", "input"), TOKEN_BUCKETS)
        .record(r.promptTokens());
    summary("gen_ai.client.token.usage", tags.and("gen_ai.token.type", "output"), TOKEN_BUCKETS)
        .record(r.completionTokens());
    if (r.cached()) {
      return; // no model ran: no time per token or speculation figures to record
    }
    if (r.completionTokens() > 1 && e.ttftNanos() >= 0) {
      Timer.builder("gen_ai.server.time_per_output_token")
          .description("(end - first token) / (output tokens - 1)")
          .tags(tags)
          .serviceLevelObjectives(durations(LATENCY_BUCKETS_S))
          .register(registry)
          .record(
              (e.durationNanos() - e.ttftNanos()) / (r.completionTokens() - 1),
              TimeUnit.NANOSECONDS);
    }
    Tags speculation = Tags.of("tier", e.tier().name(), "drafter", e.drafter());
    Counter.builder("tandem.speculation.steps")
        .description("Verify calls after the prefill")
        .tags(speculation)
        .register(registry)
        .increment(Math.max(0, r.verifierCalls() - 1));
    Counter.builder("tandem.draft.tokens.proposed")
        .tags(speculation)
        .register(registry)
        .increment(r.draftTokens());
    Counter.builder("tandem.draft.tokens.accepted")
        .tags(speculation)
        .register(registry)
        .increment(r.acceptedTokens());
    summary("tandem.tokens.per.verifier.call", speculation, new double[] {1, 1.5, 2, 3, 4, 6, 9})
        .record(r.tokensPerVerifierCall());
  }

  /**
   * The response cache's metrics: {@code tandem_cache_lookups_total{kind, result}} (result: hit,
   * miss, guarded, error) and {@code tandem_cache_saved_cost_usd_total{tier, kind}} (what the
   * served answers cost when they were generated).
   */
  public CacheMetrics cache() {
    if (!enabled) {
      return CacheMetrics.NONE;
    }
    return new CacheMetrics() {
      @Override
      public void lookup(CacheKind kind, Result result) {
        Counter.builder("tandem.cache.lookups")
            .description("Response cache lookups by kind (exact, semantic) and result")
            .tags("kind", kind.label(), "result", result.label())
            .register(registry)
            .increment();
      }

      @Override
      public void saved(String tier, CacheKind kind, double usd) {
        Counter.builder("tandem.cache.saved.cost.usd")
            .description(
                "Verifier cost saved by cache hits: what the served answers cost to generate")
            .tags("tier", tier, "kind", kind.label())
            .register(registry)
            .increment(usd);
      }
    };
  }

  /**
   * A request's committed charge: {@code tandem_cost_usd_total{tenant, tier, <tag>...}} with one
   * label per allowed tag key ("" when the request had no such tag), cancelled and failed requests
   * included (billed for what they computed).
   *
   * @param metricTags the tag keys allowed as labels ({@code accounting.metric_tags})
   */
  public void charged(dev.tandem.router.engine.SettledRequest settled, List<String> metricTags) {
    if (!enabled) {
      return;
    }
    Tags tags = Tags.of("tenant", settled.tenant().id(), "tier", settled.tier());
    for (String key : metricTags) {
      tags = tags.and(key, settled.tags().getOrDefault(key, ""));
    }
    Counter.builder("tandem.cost.usd")
        .description("Committed cost of requests in USD, by tenant, tier and allowed tags")
        .tags(tags)
        .register(registry)
        .increment(settled.costUsd());
  }

  private DistributionSummary summary(String name, Tags tags, double[] buckets) {
    return DistributionSummary.builder(name)
        .tags(tags)
        .serviceLevelObjectives(buckets)
        .register(registry);
  }

  private static Duration[] durations(double[] seconds) {
    Duration[] durations = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      durations[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
    }
    return durations;
  }
}
