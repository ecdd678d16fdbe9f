package dev.tandem.verifier.engine;

/**
 * How busy a verify's scoring was, as the verifier reports it with each verdict.
 *
 * @param busy share of the server's recent time during which every model thread was busy, 0..1 (an
 *     exponentially decayed time average, time constant about a second: {@link SaturationMeter}); 0
 *     when not reported
 * @param positionsCostThroughput whether each scored position costs the model throughput (a CPU
 *     backend is compute-bound; an accelerator scores a few more positions in a batch nearly free)
 * @param callCostRows what one call costs the server's throughput beyond its rows, in the marginal
 *     time of a scored row: its own work ({@link CallCostMeter}) and its share of the forward's
 *     fixed time ({@link RowCostMeter#callCostInRows}), >= 0; 0 when not measured
 * @param rowCostToOthersNanos what one more scored row of a call adds to the waits of the other
 *     calls (its batch-mates and those queued behind the forward), in nanoseconds ({@link
 *     RowCostMeter}), >= 0; 0 when not measured
 */
public record ScoringLoad(
    double busy,
    boolean positionsCostThroughput,
    double callCostRows,
    double rowCostToOthersNanos) {

  /**
   * Above this share of time with no model thread free the server counts as saturated. Measured on
   * a CPU server (the fixture verifier on a core of its own, 25 ms round trips, BENCHMARKS.md): at
   * 32 streams it was busy 0.53–0.81 of the time decoding plain and 0.81–0.87 with drafts of 2,
   * which served 1.3× plain's tokens; at 128 streams 0.91–0.99, where every draft length lost to
   * plain. At 0.75, the value before, routers priced drafts as throughput at 32 streams and decoded
   * mostly plain (0.84–0.90× the best fixed k).
   */
  public static final double SATURATED = 0.9;

  /** Nothing reported (an older server). */
  public static final ScoringLoad UNKNOWN = new ScoringLoad(0, false, 0, 0);

  public ScoringLoad {
    if (!(busy >= 0 && busy <= 1)) {
      throw new IllegalArgumentException("busy must be in [0, 1], got " + busy);
    }
    if (!(callCostRows >= 0 && callCostRows < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException(
          "callCostRows must be finite and >= 0, got " + callCostRows);
    }
    if (!(rowCostToOthersNanos >= 0 && rowCostToOthersNanos < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException(
          "rowCostToOthersNanos must be finite and >= 0, got " + rowCostToOthersNanos);
    }
  }

  /**
   * True when a longer draft for this session takes throughput from others: the server's compute is
   * saturated ({@code busy > }{@value #SATURATED}) and positions cost it throughput.
   */
  public boolean throughputBound() {
    return positionsCostThroughput && busy > SATURATED;
  }
}
