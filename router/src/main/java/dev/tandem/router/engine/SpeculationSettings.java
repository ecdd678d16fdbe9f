package dev.tandem.router.engine;

import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import java.time.Duration;

/**
 * The router-wide speculation defaults a request's override refines.
 *
 * @param kMax largest draft length
 * @param defaultMode what a request that names no mode gets
 * @param fixedK k when the mode is fixed and the request names none
 * @param draftPricePerTokenUsd cost of one draft token
 * @param draftTimeout longest a drafter may take for one call (open, prefill, propose) before the
 *     request gives up on it and goes on with plain decoding; at least 1 ms
 */
public record SpeculationSettings(
    int kMax,
    SpeculationMode defaultMode,
    int fixedK,
    double draftPricePerTokenUsd,
    Duration draftTimeout) {

  /** Drafters get {@link #DEFAULT_DRAFT_TIMEOUT}. */
  public static final Duration DEFAULT_DRAFT_TIMEOUT = Duration.ofSeconds(5);

  public SpeculationSettings {
    if (draftTimeout == null || draftTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("draftTimeout must be >= 1 ms, got " + draftTimeout);
    }
  }

  /** With the default draft timeout. */
  public SpeculationSettings(
      int kMax, SpeculationMode defaultMode, int fixedK, double draftPricePerTokenUsd) {
    this(kMax, defaultMode, fixedK, draftPricePerTokenUsd, DEFAULT_DRAFT_TIMEOUT);
  }
}
