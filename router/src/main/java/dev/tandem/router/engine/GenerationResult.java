package dev.tandem.router.engine;

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
 * @param cached whether the answer came from the cache
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
    boolean cached,
    String routeReason) {

  /** Why a generation ended, in the terms of the public API. */
  public enum FinishReason {
    LENGTH,
    STOP,
    EOS,
    BUDGET
  }

  /** Mean tokens produced per verifier call (the figure speculation is for). */
  public double tokensPerVerifierCall() {
    return verifierCalls == 0 ? 0 : (double) completionTokens / verifierCalls;
  }
}
