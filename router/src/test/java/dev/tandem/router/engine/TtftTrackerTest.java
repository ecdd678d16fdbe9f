package dev.tandem.router.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The TTFT estimate counts the prompt tokens queued ahead, and learns the per-token rate net of
 * them.
 */
class TtftTrackerTest {

  static final long MS = 1_000_000;

  @Test
  void unmeasuredTiersEstimateZero() {
    TtftTracker t = new TtftTracker();
    t.enqueue("large", 100);
    assertEquals(0.0, t.estimateMs("large", 50));
  }

  @Test
  void theEstimateGrowsWithTheQueueAndFallsBackWhenItDrains() {
    TtftTracker t = new TtftTracker();
    long ahead = t.enqueue("large", 100);
    assertEquals(0, ahead);
    t.firstToken("large", 100, ahead, 100 * MS); // 1 ms per prompt token, nothing ahead
    assertEquals(100.0, t.estimateMs("large", 100), 1e-9);

    long a1 = t.enqueue("large", 100);
    long a2 = t.enqueue("large", 100);
    long a3 = t.enqueue("large", 100);
    assertEquals(200, a3);
    assertEquals(400.0, t.estimateMs("large", 100), 1e-9, "three prompts of 100 ahead, then ours");
    assertEquals(0.0, t.estimateMs("small", 100), "other tiers are not affected");

    // The third waited for the two ahead: 300 ms for 300 tokens is still 1 ms per token.
    t.firstToken("large", 100, a3, 300 * MS);
    t.abandoned("large", 100); // the second was cancelled before its first token
    t.firstToken("large", 100, a1, 100 * MS);
    assertEquals(0, t.queued("large"));
    assertEquals(100.0, t.estimateMs("large", 100), 1e-9);
    assertEquals(0, a2 - 100, "the second had one prompt ahead");
  }

  @Test
  void aSlowerPrefillMovesTheRateByTheWeight() {
    TtftTracker t = new TtftTracker();
    t.firstToken("large", 10, t.enqueue("large", 10), 10 * MS); // 1 ms/token
    t.firstToken("large", 10, t.enqueue("large", 10), 30 * MS); // 3 ms/token
    double expected = 1 + TtftTracker.WEIGHT * (3 - 1);
    assertEquals(expected * 10, t.estimateMs("large", 10), 1e-9);
  }
}
