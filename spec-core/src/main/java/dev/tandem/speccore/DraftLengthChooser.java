package dev.tandem.speccore;

/**
 * Picks the draft length k for each speculation step of one request.
 *
 * <p>Threading: one instance per request, called only by that request's {@link SpeculationLoop},
 * never concurrently (successive calls may come from different threads, in happens-before order).
 */
public interface DraftLengthChooser {

  /**
   * Draft length for the next step: 0 (plain decoding) .. {@link DraftBlock#MAX_DRAFT}; larger
   * values are capped, negative ones fail the loop.
   */
  int chooseK(LoopState state);

  /** Feedback after each step (measured latencies, acceptance). Default: ignored. */
  default void observe(StepRecord step) {}

  /** Always k (the loop truncates the last step's tokens to the limit). */
  static DraftLengthChooser fixed(int k) {
    return new FixedDraftLength(k);
  }

  /**
   * The fastest k in 0..kMax for the measured acceptance and latencies, with no cost limit; see
   * {@link AdaptiveDraftLength} for budgets.
   *
   * @param prior latencies assumed until the first steps are measured
   */
  static DraftLengthChooser adaptive(int kMax, LatencyModel prior) {
    return AdaptiveDraftLength.fastest(kMax, prior);
  }

  /** Never drafts: plain decoding through the verifier. */
  static DraftLengthChooser off() {
    return new FixedDraftLength(0);
  }
}
