package dev.tandem.verifier.engine;

/**
 * How busy a verify's scoring was, as the verifier reports it with each verdict.
 *
 * @param batchSessions sessions whose work shared the model's compute with this verify (batched in
 *     the same forward or queued behind it); 1 = it ran alone, 0 = not reported
 * @param positionsCostThroughput whether each scored position costs the model throughput (a CPU
 *     backend is compute-bound; an accelerator scores a few more positions in a batch nearly free)
 */
public record ScoringLoad(int batchSessions, boolean positionsCostThroughput) {

  /** Nothing reported (an older server). */
  public static final ScoringLoad UNKNOWN = new ScoringLoad(0, false);

  public ScoringLoad {
    if (batchSessions < 0) {
      throw new IllegalArgumentException("batchSessions must be >= 0, got " + batchSessions);
    }
  }

  /**
   * True when a longer draft for this session takes throughput from others: positions cost the
   * model throughput and other sessions shared it.
   */
  public boolean throughputBound() {
    return positionsCostThroughput && batchSessions > 1;
  }
}
