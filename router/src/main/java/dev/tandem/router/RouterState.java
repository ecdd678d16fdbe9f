package dev.tandem.router;

import dev.tandem.router.api.RequestLimits;
import dev.tandem.router.api.RequestValidator;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.engine.GenerationEngine;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Map;

/**
 * What requests run against: one configuration with its engine and request limits. A request reads
 * the current state once when it starts and keeps it to the end, so a reload never changes a
 * running stream. Immutable.
 *
 * @param config the configuration
 * @param engine the engine built from it
 * @param validator checks requests against this configuration's limits
 * @param generation 1 for the configuration the router started with, +1 per applied reload
 * @param loadedAt when this configuration took effect
 * @param probes per tier: completes when the tier has a reachable verifier, fails saying why not
 */
public record RouterState(
    TandemConfig config,
    GenerationEngine engine,
    RequestValidator validator,
    long generation,
    Instant loadedAt,
    Map<String, TierProbe> probes) {

  public RouterState {
    probes = Map.copyOf(probes);
  }

  /** Checks one tier's verifier. */
  @FunctionalInterface
  public interface TierProbe {
    /** Completes when the tier can serve now; fails with a message naming what is unreachable. */
    Future<Void> check();
  }

  /** The state for {@code config} served by {@code engine}. */
  public static RouterState of(
      TandemConfig config,
      GenerationEngine engine,
      long generation,
      Instant loadedAt,
      Map<String, TierProbe> probes) {
    return new RouterState(config, engine, validator(config), generation, loadedAt, probes);
  }

  /** The request validator for a configuration's limits. */
  public static RequestValidator validator(TandemConfig config) {
    TandemConfig.Limits l = config.limits();
    return new RequestValidator(
        new RequestLimits(
            l.maxTokens(),
            l.defaultMaxTokens(),
            l.maxPromptChars(),
            config.speculation().kMax(),
            16));
  }
}
