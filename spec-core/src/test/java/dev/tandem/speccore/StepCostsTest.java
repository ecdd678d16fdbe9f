package dev.tandem.speccore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Step costs: overheads learned per k, borrowed by arms without samples, and an adaptive chooser
 * that turns speculation off when its steps carry more than their model work (and keeps it where
 * they do not). Time comes from a controlled clock.
 */
class StepCostsTest {

  @Test
  void anArmUsesItsOwnMeanOnceSampledAndBorrowsFromItsKindBefore() {
    StepCosts costs = new StepCosts();
    assertEquals(0, costs.overheadNanos(3));
    for (int i = 0; i < StepCosts.MIN_SAMPLES; i++) {
      costs.record(2, 1500, 1000); // 500 ns beyond the model's
    }
    assertEquals(500, costs.overheadNanos(2), 1e-9);
    assertEquals(500, costs.overheadNanos(3), 1e-9); // borrowed from the nearest drafting arm
    assertEquals(0, costs.overheadNanos(0)); // plain decoding never borrows from drafting
    for (int i = 0; i < StepCosts.MIN_SAMPLES; i++) {
      costs.record(0, 1100, 1000);
    }
    assertEquals(100, costs.overheadNanos(0), 1e-9);
  }

  @Test
  void theMeanFollowsNewSamplesWithTheEwmaWeight() {
    StepCosts costs = new StepCosts();
    for (int i = 0; i < 1000; i++) {
      costs.record(1, 1000, 1000);
    }
    costs.record(1, 2000, 1000);
    assertEquals(1000 * StepCosts.WEIGHT, costs.overheadNanos(1), 1e-6);
  }

  @Test
  void loadLevelsArePowersOfTwo() {
    assertEquals(0, StepCostRegistry.level(0));
    assertEquals(0, StepCostRegistry.level(1));
    assertEquals(1, StepCostRegistry.level(3));
    assertEquals(3, StepCostRegistry.level(8));
    assertEquals(7, StepCostRegistry.level(128));
  }

  /** A request whose drafting steps each carry {@code draftOverhead} ns beyond their model work. */
  private static int kAfterLearning(long draftOverhead) {
    StepCosts costs = new StepCosts();
    long[] now = {0};
    // Verifying costs 1000 ns + 10 per position, drafting 20 per token: k > 0 pays at α = 0.8.
    AdaptiveDraftLength chooser =
        AdaptiveDraftLength.fastest(8, new LatencyModel(20, 1000, 10))
            .learningStepCosts(() -> costs, () -> now[0]);
    LoopState state = new LoopState(0, 10_000, 0, 0, 0, 0, 0.8);
    int k = chooser.chooseK(state);
    assertTrue(k > 0, "drafting pays before any overhead is known, got k = " + k);
    for (int i = 0; i < 200; i++) {
      long draft = 20L * k;
      long verify = 1000 + 10L * (k + 1);
      chooser.observe(new StepRecord(k, k, 0, 1, draft, verify));
      now[0] += draft + verify + (k > 0 ? draftOverhead : 0);
      k = chooser.chooseK(state);
    }
    return k;
  }

  @Test
  void speculationIsTurnedOffWhenItsStepsCostMoreThanTheModelSees() {
    // 4000 ns per drafting step: no k with α = 0.8 recovers it.
    assertEquals(0, kAfterLearning(4000));
  }

  @Test
  void speculationStaysOnWhenItsStepsCostWhatTheModelSees() {
    assertTrue(kAfterLearning(0) > 0);
  }

  @Test
  void aThroughputBoundVerifierPricesOnlyMarginalWorkSoPlainDecodingWins() {
    // A large fixed cost per call (the batch's forward) makes drafting pay for one stream...
    LatencyModel latency = new LatencyModel(50, 2000, 300);
    LoopState state = new LoopState(0, 10_000, 0, 0, 0, 0, 0.8);
    boolean[] busy = {false};
    AdaptiveDraftLength chooser =
        AdaptiveDraftLength.fastest(8, latency).throughputBoundWhen(() -> busy[0]);
    assertTrue(chooser.chooseK(state) > 0);
    // ...but shared by many, only the positions and drafts count: E(k) / (k + 1) < 1.
    busy[0] = true;
    assertEquals(0, chooser.chooseK(state));
  }
}
