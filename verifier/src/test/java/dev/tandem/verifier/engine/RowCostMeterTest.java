package dev.tandem.verifier.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * What one more row costs the other calls: the forward's slope over rows, times the calls it delays
 * (its batch-mates and those waiting for the forward), averaged over calls.
 */
class RowCostMeterTest {

  @Test
  void theSlopeOfForwardTimeOverRowsTimesTheOtherCallsOfABatch() {
    // 2 ms a forward + 0.3 ms a row; batches of 8 calls with 32 or 96 rows.
    RowCostMeter meter = fedAlternatingRows(2_000_000, 300_000, 8, 32, 96, 0);
    assertEquals(300_000 * 7, meter.rowCostToOthersNanos(), 1e-3);
  }

  @Test
  void theOthersAreCountedPerCallAndIncludeTheCallsWaitingForTheForward() {
    RowCostMeter meter = new RowCostMeter();
    // 0.1 ms a row. Batches of 1 and of 31 calls in turn: a call sits in a batch of 31 with
    // probability 31/32, so it has 30 · 31/32 = 29.06 mates on average, not (0 + 30) / 2 = 15.
    for (int i = 0; i < 500; i++) {
      int calls = i % 2 == 0 ? 1 : 31;
      meter.batchDone(100_000L * 4 * calls, calls, 4 * calls, 0);
    }
    // (An exponentially weighted mean of alternating values leans to the last: within 0.5 %.)
    double expected = 100_000 * 30.0 * 31 / 32;
    assertEquals(expected, meter.rowCostToOthersNanos(), 0.005 * expected);

    // Batches of 4 calls while 6 more wait for the model thread: a row delays 3 + 6 others.
    RowCostMeter queued = fedAlternatingRows(1_000_000, 200_000, 4, 8, 24, 6);
    assertEquals(200_000 * 9, queued.rowCostToOthersNanos(), 1e-3);
  }

  /**
   * A call's cost in marginal rows: its own work (given in mean rows) plus the forward's fixed time
   * shared by the calls of a forward, over the slope. 2 ms a forward + 0.3 ms a row, batches of 8
   * calls with 32 or 96 rows (about 64 rows and 21.2 ms a forward: 0.331 ms a mean row): a call's
   * 1.5 mean rows of own work and its eighth of the 2 ms are (1.5 · 0.331 + 0.25) / 0.3 marginal
   * rows.
   */
  @Test
  void aCallCostsItsOwnWorkAndItsShareOfTheForwardsFixedTimeInMarginalRows() {
    RowCostMeter meter = fedAlternatingRows(2_000_000, 300_000, 8, 32, 96, 0);
    double meanRow = (2_000_000 + 300_000 * 64.0) / 64;
    double expected = (1.5 * meanRow + 250_000) / 300_000;
    // (Weighted means of alternating rows lean to the last: the mean row within 1 %.)
    assertEquals(expected, meter.callCostInRows(1.5), 0.01 * expected);
    assertEquals(250_000 / 300_000.0, meter.callCostInRows(0), 1e-6, "the fixed share alone");

    // Twice the calls per forward: half the fixed time each.
    RowCostMeter wider = fedAlternatingRows(2_000_000, 300_000, 16, 32, 96, 0);
    assertEquals(125_000 / 300_000.0, wider.callCostInRows(0), 1e-6);

    assertEquals(1.5, new RowCostMeter().callCostInRows(1.5), "unmeasured: as given");
  }

  /**
   * A meter fed 500 batches of {@code calls} calls, {@code waiting} waiting, whose rows alternate
   * between {@code rowsA} and {@code rowsB}, each forward taking {@code fixed + perRow · rows} ns.
   */
  private static RowCostMeter fedAlternatingRows(
      long fixed, long perRow, int calls, int rowsA, int rowsB, int waiting) {
    RowCostMeter meter = new RowCostMeter();
    for (int i = 0; i < 500; i++) {
      int rows = i % 2 == 0 ? rowsA : rowsB;
      meter.batchDone(fixed + perRow * rows, calls, rows, waiting);
    }
    return meter;
  }

  @Test
  void nothingIsReportedBeforeEnoughBatchesNorWithoutBatchMates() {
    RowCostMeter meter = new RowCostMeter();
    for (int i = 1; i < RowCostMeter.MIN_BATCHES; i++) {
      meter.batchDone(5_000_000, 4, 10, 0);
    }
    assertEquals(0, meter.rowCostToOthersNanos());
    meter.batchDone(5_000_000, 4, 10, 0);
    // The rows never varied: the mean time per row, an upper bound on the slope.
    assertEquals(500_000 * 3, meter.rowCostToOthersNanos(), 1e-6);

    RowCostMeter alone = new RowCostMeter();
    for (int i = 0; i < 100; i++) {
      alone.batchDone(1_000_000 + 100_000L * (1 + i % 9), 1, 1 + i % 9, 0);
    }
    assertEquals(0, alone.rowCostToOthersNanos(), "one call a forward shares it with nobody");
  }

  @Test
  void badBatchesAreIgnored() {
    RowCostMeter meter = new RowCostMeter();
    for (int i = 0; i < RowCostMeter.MIN_BATCHES; i++) {
      meter.batchDone(-1, 4, 10, 0);
      meter.batchDone(1_000_000, 0, 10, 0);
      meter.batchDone(1_000_000, 4, 0, 0);
      meter.batchDone(1_000_000, 4, 10, -1);
    }
    assertEquals(0, meter.rowCostToOthersNanos());
  }
}
