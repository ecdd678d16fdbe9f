package dev.tandem.router.engine;

import dev.tandem.router.cache.CacheMarker;
import java.util.Optional;

/**
 * How a generation ended and what it cost: the content of the last chunk.
 *
 * @param finishReason why generation stopped
 * @param promptTokens tokens in the (rendered) prompt
 * @param completionTokens tokens generated
 * @param costUsd verifier positions scored (rejected drafts included) times the tier's price
 * @param draftTokens draft tokens proposed
 * @param acceptedTokens draft tokens accepted
 * @param verifierCalls verifier calls, the prefill included
 * @param drafter the drafter used
 * @param tier the tier that served the request
 * @param model the model behind the tier
 * @param cacheHit where the answer came from when the cache served it (no model ran)
 * @param routeReason why this tier served it (the estimate, thresholds and budget), or "requested"
 */
public record GenerationResult(
    FinishReason finishReason,
    int promptTokens,
    int completionTokens,
    double costUsd,
    int draftTokens,
    int acceptedTokens,
    int verifierCalls,
    String drafter,
    String tier,
    String model,
    Optional<CacheMarker> cacheHit,
    String routeReason) {

  /** Why a generation ended, in the terms of the public API. */
  public enum FinishReason {
    LENGTH,
    STOP,
    EOS,
    BUDGET
  }

  /** Whether the cache served the whole answer. */
  public boolean cached() {
    return cacheHit.isPresent();
  }

  /** Mean tokens produced per verifier call (the figure speculation is for). */
  public double tokensPerVerifierCall() {
    return verifierCalls == 0 ? 0 : (double) completionTokens / verifierCalls;
  }
}
