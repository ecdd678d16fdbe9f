package dev.tandem.speccore;

/**
 * What a speculation step is taken to cost before it is measured: the {@link LatencyModel} (a draft
 * token, a verify call's fixed part and each scored position) and the fixed cost a drafting step
 * carries beyond its tokens (starting the drafter, hand-offs between threads), which a plain step
 * does not. Requests that learn step costs ({@link AdaptiveDraftLength#learningStepCosts}) start
 * from it; the others price every step with it for life.
 *
 * @param latency nanoseconds per draft token, per call and per position
 * @param draftStepNanos {@code >= 0}, added to every step with k > 0
 */
public record StepPrior(LatencyModel latency, double draftStepNanos) {

  public StepPrior {
    if (latency == null) {
      throw new IllegalArgumentException("latency must not be null");
    }
    LatencyModel.requireNonNegative("draftStepNanos", draftStepNanos);
  }

  /** A prior with no fixed cost per drafting step. */
  public static StepPrior of(LatencyModel latency) {
    return new StepPrior(latency, 0);
  }
}
