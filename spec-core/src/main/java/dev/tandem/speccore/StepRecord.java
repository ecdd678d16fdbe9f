package dev.tandem.speccore;

/**
 * What one speculation step did and how long its two halves took.
 *
 * @param requestedK draft length the chooser asked for (0 = plain decoding)
 * @param proposed draft tokens the drafter returned, {@code <= requestedK}
 * @param accepted draft tokens the verifier accepted, {@code <= proposed}
 * @param emitted tokens delivered from this step after EOS and max-tokens truncation, {@code <=
 *     accepted + 1}
 * @param draftNanos measured time from the propose call to its completion (0 when k = 0)
 * @param verifyNanos measured time from the verify call to its completion
 * @param draftingNanos the part of {@code draftNanos} the drafter spent drafting the proposed
 *     tokens ({@link DraftSession#lastDraftingNanos}), {@code draftNanos} where not measured: the
 *     rest is waiting for the drafter's thread and catching up on committed tokens
 */
public record StepRecord(
    int requestedK,
    int proposed,
    int accepted,
    int emitted,
    long draftNanos,
    long verifyNanos,
    long draftingNanos) {

  /** A step whose draft stage was all drafting ({@code draftingNanos = draftNanos}). */
  public StepRecord(
      int requestedK, int proposed, int accepted, int emitted, long draftNanos, long verifyNanos) {
    this(requestedK, proposed, accepted, emitted, draftNanos, verifyNanos, draftNanos);
  }

  public StepRecord {
    if (requestedK < 0) {
      throw new IllegalArgumentException("requestedK must be >= 0, got " + requestedK);
    }
    if (proposed < 0 || proposed > requestedK) {
      throw new IllegalArgumentException(
          "proposed must be in 0.." + requestedK + " (requestedK), got " + proposed);
    }
    if (accepted < 0 || accepted > proposed) {
      throw new IllegalArgumentException(
          "accepted must be in 0.." + proposed + " (proposed), got " + accepted);
    }
    if (emitted < 0 || emitted > accepted + 1) {
      throw new IllegalArgumentException(
          "emitted must be in 0.." + (accepted + 1) + " (accepted + 1), got " + emitted);
    }
    if (draftNanos < 0 || verifyNanos < 0) {
      throw new IllegalArgumentException(
          "draftNanos and verifyNanos must be >= 0, got " + draftNanos + " and " + verifyNanos);
    }
    if (draftingNanos < 0 || draftingNanos > draftNanos) {
      throw new IllegalArgumentException(
          "draftingNanos must be in 0.." + draftNanos + " (draftNanos), got " + draftingNanos);
    }
  }

  /** Positions the verifier scored: the last emitted token plus every draft token. */
  public int verifierPositions() {
    return proposed + 1;
  }
}
