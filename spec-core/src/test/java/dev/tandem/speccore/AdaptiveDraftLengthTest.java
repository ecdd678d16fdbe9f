package dev.tandem.speccore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** The adaptive chooser and its latency estimator, on exact (noise-free) measurements. */
class AdaptiveDraftLengthTest {

  private static StepRecord step(int k, long draftNanos, long verifyNanos) {
    return new StepRecord(k, k, 0, 1, draftNanos, verifyNanos);
  }

  @Test
  void theEstimatorRecoversALinearVerifyCost() {
    // t_verify = 1000 + 100 · (k + 1), t_draft = 50 per token, exactly.
    LatencyEstimator estimator = new LatencyEstimator(new LatencyModel(1, 1, 1), 0.2);
    for (int i = 0; i < 200; i++) {
      int k = i % 5;
      estimator.observe(step(k, 50L * k, 1000 + 100L * (k + 1)));
    }
    LatencyModel model = estimator.current();
    assertEquals(50, model.draftPerToken(), 1e-6);
    assertEquals(1000, model.verifyFixed(), 1e-6);
    assertEquals(100, model.verifyPerPosition(), 1e-6);
  }

  @Test
  void withAConstantKThePriorSlopeIsKeptAndOnlyTheOffsetMoves() {
    LatencyEstimator estimator = new LatencyEstimator(new LatencyModel(10, 500, 20), 0.5);
    for (int i = 0; i < 50; i++) {
      estimator.observe(step(3, 120, 2000));
    }
    LatencyModel model = estimator.current();
    assertEquals(20, model.verifyPerPosition(), 1e-9);
    assertEquals(2000 - 20 * 4, model.verifyFixed(), 1e-6);
    assertEquals(40, model.draftPerToken(), 1e-6);
  }

  @Test
  void draftsWhenAcceptanceIsHighAndStopsWhenItIsNot() {
    LatencyModel prior = new LatencyModel(2, 100, 1); // drafting is cheap next to verifying
    AdaptiveDraftLength chooser = AdaptiveDraftLength.fastest(8, prior);
    assertTrue(chooser.chooseK(state(0, 100, 0.9)) >= 4);
    assertEquals(0, chooser.chooseK(state(0, 100, 0.0)));
  }

  @Test
  void neverDraftsPastTheTokenLimit() {
    AdaptiveDraftLength chooser = AdaptiveDraftLength.fastest(8, new LatencyModel(0, 100, 0));
    assertEquals(2, chooser.chooseK(state(97, 100, 1.0)));
    assertEquals(0, chooser.chooseK(state(99, 100, 1.0)));
  }

  @Test
  void theCostLimitIsTheBudgetLeftPerTokenLeft() {
    Prices prices = new Prices(new VerifierPricing.SelfHosted(0, 0.01, 0), 0.001);
    AdaptiveDraftLength chooser =
        new AdaptiveDraftLength(
            8,
            prices,
            Objective.MIN_LATENCY_WITHIN_COST,
            2.0,
            new LatencyEstimator(new LatencyModel(1, 100, 1), 0.2));
    LoopState state = new LoopState(50, 150, 20, 60, 30, 80, 0.5);
    // spent = 0.01 · 80 + 0.001 · 60 = 0.86; (2.0 − 0.86) / 100 tokens left.
    assertEquals(0.0114, chooser.limitPerToken(state), 1e-12);
  }

  @Test
  void probesWithOneDraftAfterARunOfPlainSteps() {
    AdaptiveDraftLength chooser = fastestProbingEvery(4);
    int[] ks = new int[9];
    for (int i = 0; i < ks.length; i++) {
      ks[i] = chooser.chooseK(state(i, 100, 0.0));
    }
    assertArrayEquals(new int[] {0, 0, 0, 1, 0, 0, 0, 1, 0}, ks);
  }

  /**
   * A learning request's probes are paid from its pair's credit: its first probe comes after a run
   * of plain steps as before; that probe waited 50 ns for its draft (a lazily opened session's
   * prefill, say), which 1 % of plain steps of 100 ns (1 ns each) take 51 steps to earn back, so
   * the next probe comes no earlier, and then does.
   */
  @Test
  void aLearningRequestProbesOnlyWhatItsPairsPlainStepsPaidFor() {
    StepCosts costs = new StepCosts();
    long[] now = {0};
    AdaptiveDraftLength chooser =
        fastestProbingEvery(4).learningStepCosts(() -> costs, () -> now[0]);
    List<Integer> probes = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      int k = chooser.chooseK(state(i, 100, 0.0));
      if (k > 0) {
        probes.add(i);
      }
      StepRecord step = new StepRecord(k, k, 0, 1, k > 0 ? 50 : 0, 100 + k, k > 0 ? 2 : 0);
      chooser.observe(step);
      now[0] += step.draftingNanos() + step.verifyNanos(); // no overhead beyond the model's time
    }
    assertEquals(2, probes.size(), "probes at " + probes);
    assertEquals(3, probes.get(0));
    assertTrue(probes.get(1) >= 3 + 51, "second probe at " + probes.get(1));
  }

  /**
   * A request that learns only beside other streams (a seeded one) probes, while alone, only once
   * it has drafted: before, its draft session may still hold the whole prompt to prefill.
   */
  @Test
  void aRequestAloneThatNeverDraftedDoesNotProbe() {
    AdaptiveDraftLength chooser =
        fastestProbingEvery(4).learningStepCostsWhen(StepCosts::new, () -> 0L, () -> false);
    for (int i = 0; i < 12; i++) {
      assertEquals(0, chooser.chooseK(state(i, 100, 0.0)), "step " + i);
      chooser.observe(new StepRecord(0, 0, 0, 1, 0, 100, 0));
    }
    int k = chooser.chooseK(state(12, 100, 0.9)); // acceptance is high for once: it drafts
    assertTrue(k > 0, "k = " + k);
    chooser.observe(new StepRecord(k, k, k, k + 1, 20, 100 + k, 10));
    int[] ks = new int[4];
    for (int i = 0; i < ks.length; i++) {
      ks[i] = chooser.chooseK(state(13 + i, 100, 0.0));
    }
    assertArrayEquals(new int[] {0, 0, 0, 1}, ks);
  }

  @Test
  void doesNotProbeWhenOneDraftBreaksTheBudget() {
    AdaptiveDraftLength chooser =
        new AdaptiveDraftLength(
            8,
            new Prices(new VerifierPricing.SelfHosted(0, 1, 0), 0.5),
            Objective.MIN_LATENCY_WITHIN_COST,
            100.0, // one token per unit of budget: only plain decoding fits
            new LatencyEstimator(new LatencyModel(2, 100, 1), 0.2),
            2);
    for (int i = 0; i < 6; i++) {
      assertEquals(0, chooser.chooseK(state(0, 100, 0.0)));
    }
  }

  @Test
  void doesNotProbeWhenNoAcceptanceRateWouldMakeDraftingPay() {
    // Cheapest k under per-token pricing is 0 for every α: a probe would only add cost.
    AdaptiveDraftLength chooser =
        new AdaptiveDraftLength(
            8,
            new Prices(new VerifierPricing.PerToken(1, 2), 0.01),
            Objective.MIN_COST_WITHIN_LATENCY,
            Double.POSITIVE_INFINITY,
            new LatencyEstimator(new LatencyModel(2, 100, 1), 0.2),
            2);
    for (int i = 0; i < 8; i++) {
      assertEquals(0, chooser.chooseK(state(i, 100, 0.0)));
    }
  }

  /**
   * On a throughput-bound verifier whose scored positions cost what a decoded token does, no
   * acceptance rate makes drafting pay (E(k) <= k + 1 positions), so the chooser does not probe;
   * once the verifier is free again, it probes as before.
   */
  @Test
  void doesNotProbeWhereItsBusyPricingRulesDraftingOut() {
    boolean[] busy = {true};
    AdaptiveDraftLength chooser = fastestProbingEvery(2).throughputBoundWhen(() -> busy[0]);
    for (int i = 0; i < 8; i++) {
      assertEquals(0, chooser.chooseK(state(i, 100, 0.0)), "busy, step " + i);
    }
    busy[0] = false;
    int[] ks = new int[4];
    for (int i = 0; i < ks.length; i++) {
      ks[i] = chooser.chooseK(state(8 + i, 100, 0.0));
    }
    assertArrayEquals(new int[] {1, 0, 1, 0}, ks); // the plain run while busy counts
  }

  /**
   * A busy remote server whose calls cost it 4 positions' worth of work of their own: a step of k
   * costs 0.2 k + 0.5 (4 + k + 1), and at α = 0.8 tokens per unit are 0.40 plain, 0.56 at k = 1,
   * 0.63 at k = 2, 0.64 at k = 3, 0.63 at k = 4: k = 3. With no call cost (or one not known) the
   * busy pricing decodes plain, as before.
   */
  @Test
  void aBusyServersCallCostMakesDraftingPay() {
    LatencyModel remote = new LatencyModel(0.2, 25, 0.5);
    LoopState state = new LoopState(0, 64, 0, 0, 0, 0, 0.8);
    assertEquals(
        3,
        AdaptiveDraftLength.fastest(8, remote)
            .throughputBoundWhen(() -> true, () -> 4)
            .chooseK(state));
    assertEquals(
        0,
        AdaptiveDraftLength.fastest(8, remote)
            .throughputBoundWhen(() -> true, () -> 0)
            .chooseK(state));
    assertEquals(
        0,
        AdaptiveDraftLength.fastest(8, remote)
            .throughputBoundWhen(() -> true, () -> Double.NaN)
            .chooseK(state),
        "a call cost that is not a number counts as none");
    assertEquals(
        8,
        AdaptiveDraftLength.fastest(8, remote)
            .throughputBoundWhen(() -> false, () -> 4)
            .chooseK(state),
        "not busy: the request's own latency, where the 25-unit call dominates");
  }

  /**
   * A 40 ms call, 0.3 ms a position at α = 0.6: alone, a stream's fastest draft is long (k = 6 or
   * more, with 0.1 or 0.2 ms a draft token). When each of its positions also costs the streams
   * batched with it 4.5 ms, the streams' time per token is lowest at k = 3; when each draft token
   * delays the proposals queued behind it on a shared drafter thread by 3 ms (0.2 ms each for 15 of
   * them), at k = 3 too. A throughput-bound verifier prices positions by their work and ignores the
   * costs to others.
   */
  @Test
  void costsToOtherStreamsShortenDrafts() {
    LoopState state = new LoopState(0, 64, 0, 0, 0, 0, 0.6);
    LatencyModel cheapDrafts = new LatencyModel(100_000, 40_000_000, 300_000);
    assertTrue(AdaptiveDraftLength.fastest(8, cheapDrafts).chooseK(state) >= 6);
    assertEquals(3, chooserPricing(cheapDrafts, () -> 0, () -> 4_500_000).chooseK(state));
    assertEquals(
        0,
        chooserPricing(cheapDrafts, () -> 0, () -> 4_500_000)
            .throughputBoundWhen(() -> true)
            .chooseK(state),
        "busy: marginal work only, where plain decoding wins on a CPU");
    assertTrue(
        chooserPricing(cheapDrafts, () -> Double.NaN, () -> Double.NaN).chooseK(state) >= 6,
        "a cost that is not a number counts as none");

    LatencyModel dearerDrafts = new LatencyModel(200_000, 40_000_000, 300_000);
    assertTrue(AdaptiveDraftLength.fastest(8, dearerDrafts).chooseK(state) >= 6);
    int k = chooserPricing(dearerDrafts, () -> 3_000_000, () -> 0).chooseK(state);
    assertTrue(k >= 1 && k <= 4, "k = " + k);
  }

  private static AdaptiveDraftLength chooserPricing(
      LatencyModel latency, DoubleSupplier perDraftToken, DoubleSupplier perPosition) {
    return AdaptiveDraftLength.fastest(8, latency).pricingCostsToOthers(perDraftToken, perPosition);
  }

  /** Fastest k, no cost limit; drafting cheap next to verifying; a probe after n plain steps. */
  private static AdaptiveDraftLength fastestProbingEvery(int n) {
    return new AdaptiveDraftLength(
        8,
        Prices.FREE,
        Objective.MIN_LATENCY_WITHIN_COST,
        Double.POSITIVE_INFINITY,
        new LatencyEstimator(new LatencyModel(2, 100, 1), 0.2),
        n);
  }

  private static LoopState state(int generated, int max, double alpha) {
    return new LoopState(generated, max, 0, 0, 0, 0, alpha);
  }

  @Test
  void longerDraftsWhenAcceptanceRisesAlongTheBlock() {
    // a remote verifier: a 25-unit call, 0.5 per scored position, drafts at 0.2 each. At α = 0.69
    // the geometric model finds k = 5..8 about equal and takes the shorter; acceptance that rises
    // along the block (as measured on real text) makes the full block clearly better.
    LatencyModel remote = new LatencyModel(0.2, 25, 0.5);
    double alpha = 0.69;
    double[] rising = new double[9];
    rising[0] = 1;
    double survive = 1;
    for (int k = 1; k <= 8; k++) {
      survive *= Math.min(1, 0.6 + 0.06 * k);
      rising[k] = rising[k - 1] + survive;
    }
    AdaptiveDraftLength geometric = AdaptiveDraftLength.fastest(8, remote);
    AdaptiveDraftLength measured = AdaptiveDraftLength.fastest(8, remote);
    int kGeometric = geometric.chooseK(new LoopState(0, 64, 0, 0, 0, 0, alpha));
    int kMeasured = measured.chooseK(new LoopState(0, 64, 0, 0, 0, 0, alpha, rising));
    assertTrue(kGeometric < 8, "geometric k " + kGeometric);
    assertEquals(8, kMeasured);
  }

  @Test
  void aCurveOfCertainDraftsIsAcceptedDespiteRounding() {
    // 1.7 + 1 − 1.7 = 1.0000000000000002 in doubles: a request whose drafts are all accepted
    AcceptanceStats stats = AcceptanceStats.withDefaults();
    RequestAcceptance request = stats.forRequest();
    for (int i = 0; i < 200; i++) {
      request.record(16, 16);
    }
    double[] curve = request.expectedTokens(16);
    LoopState state = new LoopState(0, 64, 0, 0, 0, 0, request.alpha(), curve);
    assertEquals(
        16, AdaptiveDraftLength.fastest(16, new LatencyModel(0.2, 25, 0.5)).chooseK(state));
    new LoopState(0, 64, 0, 0, 0, 0, 0.9, new double[] {1, 1.7, 2.7, 3.7, 4.7, 5.7, 6.7, 7.7, 8.7});
  }

  @Test
  void aCurveThatDoesNotStartAtOneOrRisesTooFastIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new LoopState(0, 64, 0, 0, 0, 0, 0.5, new double[] {0.5, 1}));
    assertThrows(
        IllegalArgumentException.class,
        () -> new LoopState(0, 64, 0, 0, 0, 0, 0.5, new double[] {1, 2.5}));
  }
}
