package dev.tandem.speccore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * Goodput epochs against goodput curves given per k (tokens per step and cycle time per step of
 * every k, as the streams would measure them): the center walks to the best k and stays, explores
 * its neighbours within 0..kMax, and measures neither an epoch's warm-in nor steps of an epoch that
 * is over.
 */
class GoodputEpochsTest {

  private static final int STREAMS = 4;
  private static final int STEPS_PER_EPOCH = STREAMS + GoodputEpochs.MIN_MEASURED;

  /** Tokens per step of k at α = 0.8 (rounded to whole tokens over 10 steps: ×10). */
  private static int tokensTimesTen(int k) {
    return (int) Math.round(10 * (1 - Math.pow(0.8, k + 1)) / 0.2);
  }

  /** Runs {@code epochs} epochs whose steps take {@code cycle(k)} ns for 10× the tokens of k. */
  private static void run(GoodputEpochs epochs, int count, IntToLongFunction cycle) {
    for (int e = 0; e < count; e++) {
      GoodputEpochs.Epoch epoch = epochs.current();
      for (int i = 0; i < STEPS_PER_EPOCH; i++) {
        epochs.record(epoch, tokensTimesTen(epoch.k()), cycle.applyAsLong(epoch.k()));
      }
      assertEquals(epoch.id() + 1, epochs.current().id(), "one epoch per " + STEPS_PER_EPOCH);
    }
  }

  /**
   * A verify call costs 100 µs plus 60 µs a position: tokens per µs peak at k = 3 (2.95 tokens in
   * 340 µs), 3–4 % above k = 2 and k = 4, so the walk stops there from below and from above (the
   * test finds the peak from the curve it feeds rather than trusting this comment).
   */
  @Test
  void theCenterWalksToTheKWithTheMostGoodputAndStaysThere() {
    IntToLongFunction cycle = k -> 100_000 + 60_000L * (k + 1);
    int best = 0;
    for (int k = 1; k <= 8; k++) {
      if ((double) tokensTimesTen(k) / cycle.applyAsLong(k)
          > (double) tokensTimesTen(best) / cycle.applyAsLong(best)) {
        best = k;
      }
    }
    assertTrue(best > 0 && best < 8, "the curve peaks inside 0..8, at " + best);
    GoodputEpochs epochs = new GoodputEpochs(STREAMS);
    epochs.start(0, 8);
    run(epochs, 40, cycle);
    assertEquals(best, epochs.center());
    Set<Integer> tried = new HashSet<>();
    for (int e = 0; e < 60; e++) {
      tried.add(epochs.current().k());
      run(epochs, 1, cycle);
      assertEquals(best, epochs.center(), "stays, epoch " + e);
    }
    assertEquals(Set.of(best - 1, best, best + 1), tried, "explores both neighbours");
    assertEquals(
        1e9 * tokensTimesTen(best) / cycle.applyAsLong(best), epochs.tokensPerSecond(best), 1e-6);

    GoodputEpochs fromAbove = new GoodputEpochs(STREAMS);
    fromAbove.start(8, 8);
    run(fromAbove, 40, cycle);
    assertEquals(best, fromAbove.center(), "from above too");
  }

  /** A flat curve: no neighbour beats the center by the margin, and the center stays put. */
  @Test
  void aNeighbourWithinTheMarginDoesNotMoveTheCenter() {
    GoodputEpochs epochs = new GoodputEpochs(STREAMS);
    epochs.start(3, 8);
    // Each k's goodput 1 % above the one below it: below the 2 % margin.
    run(epochs, 30, k -> Math.round(tokensTimesTen(k) * 1e6 / Math.pow(1.01, k)));
    assertEquals(3, epochs.center());
  }

  @Test
  void theEdgesExploreOnlyInsideZeroToKMax() {
    GoodputEpochs plain = new GoodputEpochs(STREAMS);
    plain.start(0, 4);
    Set<Integer> tried = new HashSet<>();
    for (int e = 0; e < 12; e++) {
      tried.add(plain.current().k());
      run(plain, 1, k -> 1_000_000L * (k + 1) * (k + 1)); // plain is best by far
    }
    assertEquals(Set.of(0, 1), tried);
    assertEquals(0, plain.center());

    GoodputEpochs top = new GoodputEpochs(STREAMS);
    top.start(4, 4);
    tried.clear();
    for (int e = 0; e < 12; e++) {
      tried.add(top.current().k());
      run(top, 1, k -> 1_000_000); // the longest is best
    }
    assertEquals(Set.of(3, 4), tried);
    assertEquals(4, top.center());
  }

  /**
   * The first step per stream of an epoch runs beside the last epoch's steps and is not measured; a
   * step chosen in an epoch that has ended is dropped.
   */
  @Test
  void warmInStepsAndStepsOfAnEndedEpochAreNotMeasured() {
    GoodputEpochs epochs = new GoodputEpochs(STREAMS);
    assertNull(epochs.current());
    assertEquals(-1, epochs.center());
    GoodputEpochs.Epoch first = epochs.start(2, 8);
    assertSame(first, epochs.start(5, 8), "started once");
    for (int i = 0; i < STREAMS; i++) {
      epochs.record(first, 100, 1); // outliers: not measured
    }
    for (int i = 0; i < GoodputEpochs.MIN_MEASURED; i++) {
      epochs.record(first, 2, 1_000_000);
    }
    assertEquals(2000, epochs.tokensPerSecond(2), 1e-9);
    GoodputEpochs.Epoch second = epochs.current();
    assertEquals(1, second.id());
    for (int i = 0; i < 10 * STEPS_PER_EPOCH; i++) {
      epochs.record(first, 100, 1);
    }
    assertSame(second, epochs.current(), "the ended epoch's steps are dropped");
    assertEquals(2000, epochs.tokensPerSecond(2), 1e-9);
    assertTrue(Double.isNaN(epochs.tokensPerSecond(3)));
  }

  @Test
  void epochsAreMeasuredLongerAtHigherLoads() {
    GoodputEpochs epochs = new GoodputEpochs(32);
    GoodputEpochs.Epoch first = epochs.start(1, 8);
    int steps = 32 + GoodputEpochs.MEASURED_PER_STREAM * 32;
    for (int i = 1; i < steps; i++) {
      epochs.record(first, 1, 1000);
    }
    assertSame(first, epochs.current());
    epochs.record(first, 1, 1000);
    assertEquals(1, epochs.current().id());
  }

  @Test
  void badArgumentsNameTheirRange() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new GoodputEpochs(1))
            .getMessage()
            .contains("streams must be >= 2"));
    GoodputEpochs epochs = new GoodputEpochs(2);
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> epochs.start(0, 17))
            .getMessage()
            .contains("kMax must be in 0..16"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> epochs.start(5, 4))
            .getMessage()
            .contains("center must be in 0..4"));
    GoodputEpochs.Epoch epoch = epochs.start(1, 4);
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> epochs.record(epoch, 1, 0))
            .getMessage()
            .contains("cycleNanos > 0"));
  }
}
