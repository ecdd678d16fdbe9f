package dev.tandem.speccore;

/**
 * What a verifier tier charges, as one of the two shapes that occur in practice. Both are linear in
 * what a request does (verify calls, positions scored, prompt tokens), so every variant reduces to
 * three coefficients that {@link SpeculationPolicy} and cost accounting use:
 *
 * <pre>
 *   open(n)  = perCall() + perPromptToken()·n + perPosition()    prefill and the first token
 *   step(k)  = perCall() + perPosition()·(k + 1)                  one verify call with k drafts
 * </pre>
 *
 * <p>Under {@link SelfHosted} pricing a verify call costs about the same for 1 or 9 positions (the
 * GPU time is the call), so longer drafts amortise the call and save money. Under {@link PerToken}
 * pricing every scored position is billed, rejected drafts included, and a call is free: each token
 * costs at least one position whatever k is, so speculation can only add cost and is worth only its
 * latency.
 */
public sealed interface VerifierPricing
    permits VerifierPricing.SelfHosted, VerifierPricing.PerToken {

  /** Price of one verify call (the open call included), whatever it scores. */
  double perCall();

  /** Price of one scored position (accepted or rejected). */
  double perPosition();

  /** Price of one prompt token prefilled. */
  double perPromptToken();

  /** Cost of opening a session on an {@code promptTokens}-token prompt, first token included. */
  default double openCost(int promptTokens) {
    if (promptTokens < 0) {
      throw new IllegalArgumentException("promptTokens must be >= 0, got " + promptTokens);
    }
    return perCall() + perPromptToken() * promptTokens + perPosition();
  }

  /** Cost of one verify call scoring k drafts (k + 1 positions). */
  default double stepCost(int k) {
    return perCall() + perPosition() * (k + 1);
  }

  /** Nothing is charged. */
  VerifierPricing FREE = new SelfHosted(0, 0, 0);

  /**
   * Self-hosted GPU time: dominated by the call, nearly flat in the positions it scores.
   *
   * @param perCall USD per verifier call, {@code >= 0}
   * @param perPosition USD per scored position, {@code >= 0}
   * @param perPromptToken USD per prompt token prefilled, {@code >= 0}
   */
  record SelfHosted(double perCall, double perPosition, double perPromptToken)
      implements VerifierPricing {
    public SelfHosted {
      LatencyModel.requireNonNegative("perCall", perCall);
      LatencyModel.requireNonNegative("perPosition", perPosition);
      LatencyModel.requireNonNegative("perPromptToken", perPromptToken);
    }
  }

  /**
   * A per-token API: prompt tokens and scored positions are billed per million, calls are free,
   * rejected drafts are paid for like accepted ones.
   *
   * @param perMillionPromptTokens USD per 1M prompt tokens, {@code >= 0}
   * @param perMillionScoredPositions USD per 1M scored positions (output tokens and drafts), {@code
   *     >= 0}
   */
  record PerToken(double perMillionPromptTokens, double perMillionScoredPositions)
      implements VerifierPricing {
    public PerToken {
      LatencyModel.requireNonNegative("perMillionPromptTokens", perMillionPromptTokens);
      LatencyModel.requireNonNegative("perMillionScoredPositions", perMillionScoredPositions);
    }

    @Override
    public double perCall() {
      return 0;
    }

    @Override
    public double perPosition() {
      return perMillionScoredPositions / 1e6;
    }

    @Override
    public double perPromptToken() {
      return perMillionPromptTokens / 1e6;
    }
  }
}
