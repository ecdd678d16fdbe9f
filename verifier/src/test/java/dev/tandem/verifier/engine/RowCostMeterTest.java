package dev.tandem.verifier.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What one more row costs a call's batch-mates: the forward's slope over rows, times the mates. */
class RowCostMeterTest {

  @Test
  void theSlopeOfForwardTimeOverRowsTimesTheOtherCallsOfABatch() {
    RowCostMeter meter = new RowCostMeter();
    // 2 ms a forward + 0.3 ms a row; batches of 8 calls with 32 or 96 rows.
    for (int i = 0; i < 500; i++) {
      int rows = i % 2 == 0 ? 32 : 96;
      meter.batchDone(2_000_000 + 300_000L * rows, 8, rows);
    }
    assertEquals(300_000 * 7, meter.rowCostToOthersNanos(), 1e-3);
  }

  @Test
  void nothingIsReportedBeforeEnoughBatchesNorWithoutBatchMates() {
    RowCostMeter meter = new RowCostMeter();
    for (int i = 1; i < RowCostMeter.MIN_BATCHES; i++) {
      meter.batchDone(5_000_000, 4, 10);
    }
    assertEquals(0, meter.rowCostToOthersNanos());
    meter.batchDone(5_000_000, 4, 10);
    // The rows never varied: the mean time per row, an upper bound on the slope.
    assertEquals(500_000 * 3, meter.rowCostToOthersNanos(), 1e-6);

    RowCostMeter alone = new RowCostMeter();
    for (int i = 0; i < 100; i++) {
      alone.batchDone(1_000_000 + 100_000L * (1 + i % 9), 1, 1 + i % 9);
    }
    assertEquals(0, alone.rowCostToOthersNanos(), "one call a forward shares it with nobody");
  }

  @Test
  void badBatchesAreIgnored() {
    RowCostMeter meter = new RowCostMeter();
    for (int i = 0; i < RowCostMeter.MIN_BATCHES; i++) {
      meter.batchDone(-1, 4, 10);
      meter.batchDone(1_000_000, 0, 10);
      meter.batchDone(1_000_000, 4, 0);
    }
    assertEquals(0, meter.rowCostToOthersNanos());
  }
}
