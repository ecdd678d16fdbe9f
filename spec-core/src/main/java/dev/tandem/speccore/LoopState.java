package dev.tandem.speccore;

/**
 * A request's progress as a {@link DraftLengthChooser} sees it before each step.
 *
 * @param generatedTokens tokens delivered so far
 * @param maxTokens the request's token limit
 * @param verifierCalls verify calls made so far
 * @param draftTokensProposed draft tokens proposed so far
 * @param draftTokensAccepted draft tokens accepted so far
 * @param verifierPositionsScored positions the verifier scored so far (sum of k + 1 over steps)
 * @param alpha the current per-token acceptance estimate for this request, in [0, 1]
 */
public record LoopState(
    int generatedTokens,
    int maxTokens,
    int verifierCalls,
    int draftTokensProposed,
    int draftTokensAccepted,
    int verifierPositionsScored,
    double alpha) {

  public LoopState {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
    }
    if (generatedTokens < 0 || generatedTokens > maxTokens) {
      throw new IllegalArgumentException(
          "generatedTokens must be in 0.." + maxTokens + " (maxTokens), got " + generatedTokens);
    }
    if (verifierCalls < 0 || draftTokensProposed < 0 || verifierPositionsScored < 0) {
      throw new IllegalArgumentException(
          "verifierCalls, draftTokensProposed and verifierPositionsScored must be >= 0");
    }
    if (draftTokensAccepted < 0 || draftTokensAccepted > draftTokensProposed) {
      throw new IllegalArgumentException(
          "draftTokensAccepted must be in 0.."
              + draftTokensProposed
              + " (draftTokensProposed), got "
              + draftTokensAccepted);
    }
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
    }
  }

  /** Tokens still allowed before the limit. */
  public int remainingTokens() {
    return maxTokens - generatedTokens;
  }
}
