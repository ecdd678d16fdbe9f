package dev.tandem.speccore;

import java.util.List;

/**
 * How a {@link SpeculationLoop} ended and what it cost.
 *
 * @param reason why it ended
 * @param generatedTokens tokens delivered to the sink (EOS excluded)
 * @param draftTokensProposed draft tokens proposed over all steps
 * @param draftTokensAccepted draft tokens the verifier accepted
 * @param verifierCalls verify calls made
 * @param verifierPositionsScored positions scored, including rejected drafts (what a verifier
 *     bills)
 * @param draftNanos total measured drafting time
 * @param verifyNanos total measured verifying time
 * @param steps every step in order; empty when the loop was built with {@code keepSteps(false)}
 */
public record LoopResult(
    FinishReason reason,
    int generatedTokens,
    int draftTokensProposed,
    int draftTokensAccepted,
    int verifierCalls,
    int verifierPositionsScored,
    long draftNanos,
    long verifyNanos,
    List<StepRecord> steps) {

  public LoopResult {
    if (reason == null) {
      throw new IllegalArgumentException("reason must not be null");
    }
    if (generatedTokens < 0 || verifierCalls < 0 || verifierPositionsScored < 0) {
      throw new IllegalArgumentException(
          "generatedTokens, verifierCalls and verifierPositionsScored must be >= 0");
    }
    if (draftTokensAccepted < 0 || draftTokensAccepted > draftTokensProposed) {
      throw new IllegalArgumentException(
          "draftTokensAccepted must be in 0.."
              + draftTokensProposed
              + " (draftTokensProposed), got "
              + draftTokensAccepted);
    }
    steps = List.copyOf(steps);
  }

  /** Fraction of proposed draft tokens accepted; 0 when none were proposed. */
  public double acceptanceRate() {
    return draftTokensProposed == 0 ? 0 : (double) draftTokensAccepted / draftTokensProposed;
  }

  /** Mean tokens gained per verify call; 0 when there was none. */
  public double tokensPerVerifierCall() {
    return verifierCalls == 0 ? 0 : (double) (draftTokensAccepted + verifierCalls) / verifierCalls;
  }
}
