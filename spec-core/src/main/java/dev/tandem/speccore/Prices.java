package dev.tandem.speccore;

/**
 * What speculation costs in money (USD): the verifier tier's pricing plus the price of drafting.
 *
 * @param verifier how the verifier tier charges
 * @param perDraftToken price of one drafted token, {@code >= 0}
 */
public record Prices(VerifierPricing verifier, double perDraftToken) {

  /** Nothing costs anything: the cost constraint never binds. */
  public static final Prices FREE = new Prices(VerifierPricing.FREE, 0);

  public Prices {
    if (verifier == null) {
      throw new IllegalArgumentException("verifier pricing must not be null");
    }
    LatencyModel.requireNonNegative("perDraftToken", perDraftToken);
  }

  /** Cost of one step with k drafts: the verify call plus drafting k tokens. */
  public double stepCost(int k) {
    return verifier.stepCost(k) + perDraftToken * k;
  }

  /**
   * Cost of a request's loop so far (the session's open not included).
   *
   * @param verifierCalls verify calls made
   * @param verifierPositionsScored positions scored over those calls
   * @param draftTokensProposed draft tokens proposed
   */
  public double spent(int verifierCalls, int verifierPositionsScored, int draftTokensProposed) {
    return verifier.perCall() * verifierCalls
        + verifier.perPosition() * verifierPositionsScored
        + perDraftToken * draftTokensProposed;
  }

  /** Cost of a request's loop so far, from its state. */
  public double spent(LoopState state) {
    return spent(
        state.verifierCalls(), state.verifierPositionsScored(), state.draftTokensProposed());
  }

  /**
   * The most a request can cost: open on the prompt, then every step rejects all {@code kMax}
   * drafts, so each of the remaining {@code maxTokens − 1} tokens takes a full step.
   */
  public double worstCase(int promptTokens, int maxTokens, int kMax) {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
    }
    return verifier.openCost(promptTokens) + (maxTokens - 1) * stepCost(kMax);
  }
}
