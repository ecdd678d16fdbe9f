package dev.tandem.verifier.engine;

import dev.tandem.speccore.WeightedLine;
import dev.tandem.speccore.WeightedMean;

/**
 * What one more scored row of a call costs the other calls, in nanoseconds: the forward's marginal
 * time per row times the calls that wait for the forward. A session that scores k more positions
 * lengthens by k rows' time the verify of every batch-mate and of every call queued for the model
 * thread meanwhile; a router that prices only its own latency drafts long while its long drafts
 * slow every other stream (at 32 remote streams adaptive k chose 3–8 where drafts of 1–4 served the
 * most tokens and 8 lost most of the gain; BENCHMARKS.md, issue 14). Reported with each verdict
 * ({@link ScoringLoad#rowCostToOthersNanos}); measured, not assumed, so an accelerator whose
 * forward barely grows with its rows reports little.
 *
 * <p>From each finished batch: its forward's wall time, its calls, its rows, and the calls that
 * were queued waiting for a model thread when it ended. The marginal time per row is the slope of
 * an exponentially weighted least-squares line of forward time over rows ({@link #WEIGHT} a batch);
 * while the rows have barely varied it is the mean time per row, an upper bound. The others a
 * call's row delays are its batch-mates and the calls that waited for the forward to end, averaged
 * over calls, not batches (a call is more likely to sit in a big batch: batches of 1 and 31 calls
 * give a call 29 mates on average, not 15). 0 until {@link #MIN_BATCHES} batches were measured.
 *
 * <p>Threading: {@link #batchDone} from the model threads (synchronized); {@link
 * #rowCostToOthersNanos} and {@link #callCostInRows} from any thread (volatile reads).
 */
final class RowCostMeter {

  static final double WEIGHT = 0.02;
  static final int MIN_BATCHES = 16;

  /** Variance of the rows per batch below which no slope is fitted. */
  static final double MIN_ROWS_VARIANCE = 1.0;

  private final WeightedLine forward = new WeightedLine(); // x = rows, y = forward time (ns)
  // Means per batch of calls, and of calls × the others each one's rows delay; their ratio is the
  // others per call, averaged over calls.
  private final WeightedMean calls = new WeightedMean(WEIGHT);
  private final WeightedMean callsTimesOthers = new WeightedMean(WEIGHT);
  private volatile double rowCostToOthersNanos; // written under the lock, read without it
  // For callCostInRows: one snapshot, written under the lock, read without it.
  private volatile InMarginalRows inMarginalRows = InMarginalRows.UNMEASURED;

  /**
   * A call's cost in marginal rows is {@code callCostRows · perMeanRow + fixedShare}: a mean row is
   * {@code perMeanRow} marginal rows, and the forward's fixed time per call it serves is {@code
   * fixedShare} of them.
   */
  private record InMarginalRows(double perMeanRow, double fixedShare) {
    static final InMarginalRows UNMEASURED = new InMarginalRows(1, 0);
  }

  /**
   * A batch finished.
   *
   * @param forwardNanos its forward's wall time
   * @param batchCalls the calls it served (verifies and opens), >= 1
   * @param rows the rows it scored, >= 1
   * @param waiting calls queued when it ended that had waited for a model thread, >= 0
   */
  synchronized void batchDone(long forwardNanos, int batchCalls, int rows, int waiting) {
    if (forwardNanos < 0 || batchCalls < 1 || rows < 1 || waiting < 0) {
      return;
    }
    calls.add(batchCalls);
    callsTimesOthers.add((double) batchCalls * (batchCalls - 1 + waiting));
    forward.addAveragingFirst(rows, forwardNanos, WEIGHT);
    if (forward.points() < MIN_BATCHES) {
      return;
    }
    double meanPerRow = forward.meanY() / forward.meanX();
    double perRow = Math.max(0, forward.slope(MIN_ROWS_VARIANCE, meanPerRow)); // flat: the mean
    rowCostToOthersNanos = perRow * callsTimesOthers.mean() / calls.mean();
    // The forward's fixed part (its line at 0 rows), shared by the calls a forward serves.
    double fixedPerCall = Math.max(0, forward.meanY() - perRow * forward.meanX()) / calls.mean();
    inMarginalRows =
        perRow > 0
            ? new InMarginalRows(meanPerRow / perRow, fixedPerCall / perRow)
            : InMarginalRows.UNMEASURED; // no marginal time to count in: as given
  }

  /**
   * What a call costs the server beyond its own rows, in marginal rows (the unit a router prices a
   * scored position in): {@code callCostRows} of the calls' own work, given in rows of the
   * forward's mean time per row ({@link CallCostMeter}), plus the forward's fixed time per call it
   * serves, over the forward's marginal time per row. A forward whose time is mostly fixed (weights
   * read once for the whole batch) makes a call dear and a row cheap: drafting then saves calls for
   * a few cheap rows, even on a busy server; priced in mean rows with the fixed part left out, a
   * busy server at 32 remote streams looked row-bound and its routers decoded plain where a draft
   * of 2 served 1.3× plain's tokens (BENCHMARKS.md, issue 14). The more calls share a forward, the
   * less of it falls on each. {@code callCostRows} as it is until a slope was measured.
   */
  double callCostInRows(double callCostRows) {
    InMarginalRows in = inMarginalRows;
    return callCostRows * in.perMeanRow() + in.fixedShare();
  }

  /** What one more row of a call costs the calls waiting on its forward, ns; 0 until measured. */
  double rowCostToOthersNanos() {
    return rowCostToOthersNanos;
  }
}
