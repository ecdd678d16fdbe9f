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
 * @param expectedTokens expected tokens per step for k = 0.. its length − 1 ({@link
 *     RequestAcceptance#expectedTokens}), or null: then the geometric model's E(k) for {@code
 *     alpha}. A {@link SpeculationLoop} passes its own array, which it refills before the next
 *     step: read it while deciding a step, copy it (or use {@link #expectedTokens(int)}) to keep
 *     it.
 */
public record LoopState(
    int generatedTokens,
    int maxTokens,
    int verifierCalls,
    int draftTokensProposed,
    int draftTokensAccepted,
    int verifierPositionsScored,
    double alpha,
    double[] expectedTokens) {

  /** A state whose expected tokens per step follow the geometric model for {@code alpha}. */
  public LoopState(
      int generatedTokens,
      int maxTokens,
      int verifierCalls,
      int draftTokensProposed,
      int draftTokensAccepted,
      int verifierPositionsScored,
      double alpha) {
    this(
        generatedTokens,
        maxTokens,
        verifierCalls,
        draftTokensProposed,
        draftTokensAccepted,
        verifierPositionsScored,
        alpha,
        null);
  }

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
    if (expectedTokens != null) {
      if (expectedTokens.length == 0 || expectedTokens[0] != 1) {
        throw new IllegalArgumentException("expectedTokens must start with E(0) = 1");
      }
      for (int k = 1; k < expectedTokens.length; k++) {
        // a gain of exactly 1 (every draft accepted) reads back as 1 ± ulp after the additions
        double gain = expectedTokens[k] - expectedTokens[k - 1];
        if (!(gain >= -1e-9 && gain <= 1 + 1e-9)) {
          throw new IllegalArgumentException(
              "expectedTokens must rise by 0..1 per k, got E("
                  + k
                  + ") − E("
                  + (k - 1)
                  + ") = "
                  + gain);
        }
      }
    }
  }

  /** E(k) for k = 0..kMax ({@code [kMax + 1]}): the given curve, or the geometric model's. */
  public double[] expectedTokens(int kMax) {
    double[] expected = new double[kMax + 1];
    for (int k = 0; k <= kMax; k++) {
      expected[k] =
          expectedTokens != null && k < expectedTokens.length
              ? expectedTokens[k]
              : SpeculationPolicy.expectedTokens(alpha, k);
    }
    return expected;
  }

  /** Tokens still allowed before the limit. */
  public int remainingTokens() {
    return maxTokens - generatedTokens;
  }
}
