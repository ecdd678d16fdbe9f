package dev.tandem.draft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What a draft token costs the proposals queued behind it on the drafter's threads. */
class DraftQueueMeterTest {

  @Test
  void theProposalsPendingBesidesTheOneDraftingWaitForIt() {
    DraftQueueMeter meter = new DraftQueueMeter(1);
    for (int i = 0; i < 4; i++) {
      meter.submitted(); // four streams propose together
    }
    int behind = meter.queuedBehind();
    assertEquals(3, behind);
    meter.drafted(800_000, 4, behind); // 0.2 ms a token, three proposals waiting for it
    assertEquals(600_000, meter.costToOthersPerTokenNanos(), 1e-6);
    meter.finished();
    assertEquals(2, meter.queuedBehind());
  }

  @Test
  void twoModelThreadsHalveTheWaitAndNothingDraftedTeachesNothing() {
    DraftQueueMeter meter = new DraftQueueMeter(2);
    meter.drafted(1_000_000, 0, 5);
    assertEquals(0, meter.costToOthersPerTokenNanos());
    meter.drafted(1_000_000, 1, 4);
    assertEquals(2_000_000, meter.costToOthersPerTokenNanos(), 1e-6);
    assertEquals(0, meter.queuedBehind(), "none pending");
  }

  /**
   * Streams that one batch of verdicts answered propose together: 32 at a time, drafting 0.2 ms a
   * token with 31, 30, … 0 proposals behind. Read as the next burst starts (when the streams choose
   * their k), the figure is the burst's mean, 15.5 × 0.2 ms, not its tail's.
   */
  @Test
  void theFigureIsABurstsMeanNotItsTails() {
    DraftQueueMeter meter = new DraftQueueMeter(1);
    for (int burst = 0; burst < 40; burst++) {
      for (int behind = 31; behind >= 0; behind--) {
        meter.drafted(800_000, 4, behind);
      }
    }
    assertEquals(15.5 * 200_000, meter.costToOthersPerTokenNanos(), 0.1 * 15.5 * 200_000);
  }
}
