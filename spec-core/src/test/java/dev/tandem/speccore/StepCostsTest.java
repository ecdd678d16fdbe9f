package dev.tandem.speccore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * Step costs: overheads learned for plain and drafting steps (a line in k), and an adaptive chooser
 * that turns speculation off when its steps carry more than their model work (and keeps it where
 * they do not). Time comes from a controlled clock.
 */
class StepCostsTest {

  /**
   * Probes are paid from a credit that plain steps earn at 1 % of their time: one probe at a time,
   * the next once its cost was earned back, and no credit stockpiled beyond what is owed.
   */
  @Test
  void probesArePaidFromTheCreditPlainStepsEarn() {
    StepCosts costs = new StepCosts();
    assertTrue(costs.takeProbe(), "nothing owed");
    assertFalse(costs.takeProbe(), "one probe at a time");
    costs.chargeProbe(1_000_000); // the probe cost 1 ms beyond a plain step
    costs.earnProbeCredit(99_000_000); // 0.99 ms earned
    assertFalse(costs.takeProbe(), "10 µs still owed");
    costs.earnProbeCredit(1_000_100);
    assertTrue(costs.takeProbe(), "paid back");
    StepCosts rested = new StepCosts();
    rested.earnProbeCredit(1e12);
    assertTrue(rested.takeProbe());
    rested.chargeProbe(1_000_000);
    assertFalse(rested.takeProbe(), "a long plain run stockpiles nothing");
  }

  @Test
  void draftingStepsOverheadIsALineInKAndPlainDecodingHasItsOwn() {
    StepCosts costs = new StepCosts();
    assertEquals(0, overhead(costs, 3));
    for (int i = 0; i < StepCosts.MIN_SAMPLES; i++) {
      costs.record(2, 1500, 1000); // 500 ns beyond the model's
    }
    assertEquals(500, overhead(costs, 2), 1e-9);
    assertEquals(500, overhead(costs, 3), 1e-9); // one k seen: no slope yet
    assertEquals(0, overhead(costs, 0)); // plain decoding never borrows from drafting
    for (int i = 0; i < 400; i++) { // 300 ns a drafting step + 100 ns a draft token
      int k = i % 2 == 0 ? 2 : 6;
      costs.record(k, 1000 + 300 + 100 * k, 1000);
    }
    assertEquals(700, overhead(costs, 4), 1e-6);
    assertEquals(1100, overhead(costs, 8), 1e-6);
    for (int i = 0; i < StepCosts.MIN_SAMPLES; i++) {
      costs.record(0, 1100, 1000);
    }
    assertEquals(100, overhead(costs, 0), 1e-9);
  }

  @Test
  void theMeanFollowsNewSamplesWithTheEwmaWeight() {
    StepCosts costs = new StepCosts();
    for (int i = 0; i < 1000; i++) {
      costs.record(1, 1000, 1000);
    }
    costs.record(1, 2000, 1000);
    assertEquals(1000 * StepCosts.WEIGHT, overhead(costs, 1), 1e-6);
  }

  @Test
  void theMeanChosenKIsReadAfterSixteenChoicesAndFollowsNewOnes() {
    StepCosts costs = new StepCosts();
    for (int i = 1; i < StepCosts.MIN_CHOICES; i++) {
      costs.chose(2);
    }
    assertTrue(Double.isNaN(costs.meanChosenK()));
    costs.chose(2);
    assertEquals(2, costs.meanChosenK(), 1e-12);
    for (int i = 0; i < 200; i++) {
      costs.chose(6);
    }
    assertEquals(6, costs.meanChosenK(), 0.1); // 2 + 4 · (1 − 0.98^200) = 5.93
    var e =
        assertThrows(IllegalArgumentException.class, () -> costs.chose(DraftBlock.MAX_DRAFT + 1));
    assertTrue(e.getMessage().startsWith("k must be in 0.."), e.getMessage());
  }

  // A verify call's fixed cost far above a draft token's and a position's, or five times theirs.
  private static final LatencyModel CHEAP_DRAFTS = new LatencyModel(20, 1_000_000, 10);
  private static final LatencyModel DEAR_DRAFTS = new LatencyModel(200_000, 1_000_000, 200_000);
  private static final LoopState HIGH = new LoopState(0, 10_000, 0, 0, 0, 0, 0.95);
  private static final LoopState LOW = new LoopState(0, 10_000, 0, 0, 0, 0, 0.05);

  /**
   * The pair's requests chose k = 2 on average. A request whose own policy says 8 (α = 0.95, a
   * verify call's fixed cost far above a draft token's and a position's) drafts 3; one that says
   * plain (α = 0.05, drafts and positions a fifth of a call each) drafts 1, unless a cost budget
   * binds it; a request that learns nothing, or a pair with too few choices, is not bounded.
   */
  @Test
  void aLearningRequestsKStaysWithinOneOfThePairsMeanChoice() {
    assertEquals(8, AdaptiveDraftLength.fastest(8, CHEAP_DRAFTS).chooseK(HIGH), "not learning");
    assertEquals(8, learning(CHEAP_DRAFTS, new StepCosts()).chooseK(HIGH), "no choices yet");
    assertEquals(0, AdaptiveDraftLength.fastest(8, DEAR_DRAFTS).chooseK(LOW), "not learning");
    StepCosts twos = new StepCosts();
    for (int i = 0; i < 50; i++) {
      twos.chose(2);
    }
    assertEquals(3, learning(CHEAP_DRAFTS, twos).chooseK(HIGH));
    assertEquals(1, learning(DEAR_DRAFTS, twos).chooseK(LOW)); // the mean is 2.12 now: 1..4
    assertEquals(0, budgeted(DEAR_DRAFTS, twos).chooseK(LOW), "a budget: not raised");
  }

  /**
   * From two streams up, a request that no limit binds drafts the pair's goodput epoch's k (capped
   * by the tokens it has left), whatever its own model says, once the pair's mean choice (2) has
   * started the epochs; its steps' cycles measure the epoch. A budgeted request, and any request
   * while the verifier is throughput-bound, drafts its model's k; at one stream there are no
   * epochs.
   */
  @Test
  void atSeveralStreamsAnUnlimitedRequestDraftsTheGoodputEpochsK() {
    StepCosts alone = new StepCosts(1);
    StepCosts shared = new StepCosts(2);
    for (int i = 0; i < StepCosts.MIN_CHOICES; i++) {
      alone.chose(2);
      shared.chose(2);
    }
    assertNull(alone.epochs());
    assertEquals(3, learning(CHEAP_DRAFTS, alone).chooseK(HIGH), "one stream: the model, ±1");
    long[] now = {0};
    AdaptiveDraftLength chooser =
        AdaptiveDraftLength.fastest(8, CHEAP_DRAFTS).learningStepCosts(() -> shared, () -> now[0]);
    assertEquals(2, chooser.chooseK(HIGH), "the epoch's k, not the model's 8 (3 within ±1)");
    assertEquals(2, shared.epochs().center());
    assertEquals(2, learning(DEAR_DRAFTS, shared).chooseK(LOW), "not the model's 0 (1 within ±1)");
    LoopState ending = new LoopState(9_998, 10_000, 0, 0, 0, 0, 0.95);
    assertEquals(1, learning(CHEAP_DRAFTS, shared).chooseK(ending), "two tokens left: one draft");

    assertEquals(0, budgeted(DEAR_DRAFTS, shared).chooseK(LOW), "a budget: its own k");
    AdaptiveDraftLength busy = learning(DEAR_DRAFTS, shared).throughputBoundWhen(() -> true);
    assertEquals(1, busy.chooseK(LOW), "throughput-bound: the model (0, raised to within ±1)");

    int steps = 2 + GoodputEpochs.MIN_MEASURED; // warm-in (one per stream) and measured
    for (int i = 0; i < steps; i++) {
      chooser.observe(new StepRecord(2, 2, 2, 3, 1_000, 10_000));
      now[0] += 20_000;
      chooser.chooseK(HIGH);
    }
    assertEquals(1, shared.epochs().current().id(), "the epoch measured its steps and ended");
    assertEquals(3e9 / 20_000, shared.epochs().tokensPerSecond(2), 1e-6);
  }

  /**
   * A learning request prices drafting steps with its tier's prior cost per drafting step until its
   * pair has measured its own: with a 10 ms prior on each drafting step, cheap drafts at α = 0.95
   * are not worth it; once the pair recorded drafting steps that carry no overhead, they are.
   */
  @Test
  void thePriorsDraftStepCostHoldsUntilThePairMeasuredDraftingSteps() {
    StepCosts costs = new StepCosts();
    AdaptiveDraftLength chooser =
        AdaptiveDraftLength.fastest(8, CHEAP_DRAFTS)
            .pricingDraftSteps(10_000_000)
            .learningStepCosts(() -> costs, () -> 0L);
    assertEquals(0, chooser.chooseK(HIGH), "the prior's 10 ms a drafting step");
    for (int i = 0; i < StepCosts.MIN_SAMPLES; i++) {
      costs.record(4, 1_000_000, 1_000_000);
    }
    assertTrue(chooser.chooseK(HIGH) > 0, "measured: no overhead");
  }

  @Test
  void anUnmeasuredDraftingStepCarriesThePlainStepsMeasuredOverheadAndThePriors() {
    StepCosts costs = new StepCosts();
    double[] prior = {0, 600_000, 600_000};
    assertArrayEquals(new double[] {0, 600_000, 600_000}, costs.overheads(2, prior));
    for (int i = 0; i < StepCosts.MIN_SAMPLES; i++) {
      costs.record(0, 800_000, 500_000); // plain: 0.3 ms beyond the model
    }
    assertArrayEquals(new double[] {300_000, 900_000, 900_000}, costs.overheads(2, prior));
    assertArrayEquals(new double[] {300_000, 300_000, 300_000}, costs.overheads(2, null));
    for (int i = 0; i < StepCosts.MIN_SAMPLES; i++) {
      costs.record(2, 1_100_000, 1_000_000); // drafting, measured: 0.1 ms beyond the model
    }
    assertArrayEquals(new double[] {300_000, 100_000, 100_000}, costs.overheads(2, prior), 1e-6);
  }

  @Test
  void aPlainStepsMeasuredOverheadDoesNotMakeUnmeasuredDraftingLookCheaper() {
    // The default in-process tier's prior, and a pair whose plain steps were measured 0.31 ms
    // beyond their model time: at α = 0.8, k = 2 costs (0.6 + 0.6 + 0.31 + 0.6 + 3 · 0.35) / 2.44
    // ms a token against plain's 0.6 + 0.35 + 0.31, so plain; priced without the plain overhead on
    // the drafting arm it was the other way round.
    StepCosts costs = new StepCosts();
    AdaptiveDraftLength chooser =
        AdaptiveDraftLength.fastest(8, new LatencyModel(300_000, 600_000, 350_000))
            .pricingDraftSteps(600_000)
            .learningStepCosts(() -> costs, () -> 0L);
    for (int i = 0; i < StepCosts.MIN_SAMPLES; i++) {
      costs.record(0, 1_260_000, 950_000);
    }
    assertEquals(0, chooser.chooseK(new LoopState(0, 10_000, 0, 0, 0, 0, 0.8)));
  }

  /** Arm k's overhead with no prior. */
  private static double overhead(StepCosts costs, int k) {
    return costs.overheads(k, null)[k];
  }

  /** A learning request with a cost budget (10 USD, self-hosted prices). */
  private static AdaptiveDraftLength budgeted(LatencyModel latency, StepCosts costs) {
    return new AdaptiveDraftLength(
            8,
            new Prices(new VerifierPricing.SelfHosted(0.001, 0.0001, 0), 0),
            Objective.MIN_LATENCY_WITHIN_COST,
            10,
            new LatencyEstimator(latency, LatencyEstimator.DEFAULT_WEIGHT))
        .learningStepCosts(() -> costs, () -> 0L);
  }

  private static AdaptiveDraftLength learning(LatencyModel latency, StepCosts costs) {
    return AdaptiveDraftLength.fastest(8, latency).learningStepCosts(() -> costs, () -> 0L);
  }

  @Test
  void aLoadLevelIsTheNearestPowerOfTwoSoThatAPowerOfTwoSitsInItsMiddle() {
    assertEquals(0, StepCostRegistry.level(0));
    assertEquals(0, StepCostRegistry.level(1)); // one stream alone
    assertEquals(1, StepCostRegistry.level(2));
    assertEquals(2, StepCostRegistry.level(3));
    assertEquals(2, StepCostRegistry.level(5));
    assertEquals(3, StepCostRegistry.level(6));
    assertEquals(3, StepCostRegistry.level(8));
    assertEquals(3, StepCostRegistry.level(11));
    assertEquals(4, StepCostRegistry.level(22));
    // 32 streams and the dips below them (one between requests, the end of a burst): one level.
    for (int streams = 23; streams <= 45; streams++) {
      assertEquals(5, StepCostRegistry.level(streams), "streams " + streams);
    }
    assertEquals(6, StepCostRegistry.level(46));
    assertEquals(7, StepCostRegistry.level(128));
    assertEquals(StepCostRegistry.MAX_LEVEL, StepCostRegistry.level(Integer.MAX_VALUE));
    assertEquals(32, StepCostRegistry.streamsOf(5));
    assertNotNull(new StepCostRegistry().forPair("model", "large", Integer.MAX_VALUE).epochs());
  }

  @Test
  void streamsDippingBelowAPowerOfTwoShareItsCosts() {
    StepCostRegistry registry = new StepCostRegistry();
    StepCosts at32 = registry.forPair("model", "large", 32);
    assertSame(at32, registry.forPair("model", "large", 31));
    assertSame(at32, registry.forPair("model", "large", 40));
    assertNotSame(at32, registry.forPair("model", "large", 16));
    assertNotSame(at32, registry.forPair("ngram", "large", 32));
  }

  /** A request whose drafting steps each carry {@code draftOverhead} ns beyond their model work. */
  private static int kAfterLearning(long draftOverhead) {
    // Verifying costs 1000 ns + 10 per position, drafting 20 per token: k > 0 pays at α = 0.8.
    int[] ks =
        kChosen(
            new LatencyModel(20, 1000, 10),
            new LoopState(0, 10_000, 0, 0, 0, 0, 0.8),
            200,
            k -> 1000 + 10L * (k + 1),
            k -> k > 0 ? draftOverhead : 0);
    assertTrue(ks[0] > 0, "drafting pays before any overhead is known, got k = " + ks[0]);
    int[] chosen = new int[DraftBlock.MAX_DRAFT + 1]; // over the last 100 steps
    for (int i = 101; i < ks.length; i++) {
      chosen[ks[i]]++;
    }
    int most = 0; // the k chosen most often (plain probes aside)
    for (int j = 1; j < chosen.length; j++) {
      most = chosen[j] > chosen[most] ? j : most;
    }
    return most;
  }

  /**
   * Runs the steps of one learning request (kMax 8, {@code prior}, a pair of its own) on a
   * controlled clock: a step of k drafts at 20 ns a token, verifies in {@code verify(k)} ns and
   * carries {@code beyond(k)} ns more. Returns the k chosen first and then after each of {@code
   * steps} steps.
   */
  private static int[] kChosen(
      LatencyModel prior,
      LoopState state,
      int steps,
      IntToLongFunction verify,
      IntToLongFunction beyond) {
    StepCosts costs = new StepCosts();
    long[] now = {0};
    AdaptiveDraftLength chooser =
        AdaptiveDraftLength.fastest(8, prior).learningStepCosts(() -> costs, () -> now[0]);
    int[] chosen = new int[steps + 1];
    chosen[0] = chooser.chooseK(state);
    for (int i = 0; i < steps; i++) {
      int k = chosen[i];
      long draft = 20L * k;
      long verifyNanos = verify.applyAsLong(k);
      chooser.observe(new StepRecord(k, k, 0, 1, draft, verifyNanos));
      now[0] += draft + verifyNanos + beyond.applyAsLong(k);
      chosen[i + 1] = chooser.chooseK(state);
    }
    return chosen;
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

  /**
   * A pair whose drafting steps verify slower than its plain steps would on the same line (the
   * drafter's thread drafts ahead beside each verify on a small CPU): each kind is priced at its
   * own measured verifies, whichever kind the pair's one fit holds more of.
   */
  @Test
  void eachKindOfStepIsPricedAtItsOwnMeasuredVerifies() {
    StepCosts costs = new StepCosts();
    LatencyModel prior = new LatencyModel(20, 600_000, 350_000);
    assertArrayEquals(new double[5], costs.verifyExcess(4, prior));
    for (int i = 0; i < StepCosts.MIN_SAMPLES - 1; i++) {
      costs.observe(new StepRecord(0, 0, 0, 1, 0, 400_000), prior);
    }
    assertArrayEquals(
        new double[5], costs.verifyExcess(4, costs.latency(prior)), "3 plain steps: no level yet");
    costs.observe(new StepRecord(0, 0, 0, 1, 0, 400_000), prior);
    for (int i = 0; i < 200; i++) { // k = 1..3 in turn: 1 ms a call + 0.2 ms a position
      int k = 1 + i % 3;
      costs.observe(new StepRecord(k, k, 0, 1, 20L * k, 1_000_000 + 200_000L * (k + 1)), prior);
    }
    LatencyModel fit = costs.latency(prior);
    assertTrue(fit.verifyTime(0) > 1_000_000, "the fit is the drafting steps': " + fit);
    double[] excess = costs.verifyExcess(4, fit);
    assertEquals(400_000, fit.verifyTime(0) + excess[0], 1e-3, "plain at its own 0.4 ms");
    assertEquals(1_000_000 + 200_000 * 3, fit.verifyTime(2) + excess[2], 20_000);
    assertEquals(1_000_000 + 200_000 * 5, fit.verifyTime(4) + excess[4], 20_000, "along the fit");

    for (int i = 0; i < 300; i++) { // now plain only: the fit becomes the plain steps'
      costs.observe(new StepRecord(0, 0, 0, 1, 0, 400_000), prior);
    }
    fit = costs.latency(prior);
    assertEquals(400_000, fit.verifyTime(0), 1_000, "the fit is the plain steps': " + fit);
    excess = costs.verifyExcess(4, fit);
    assertEquals(400_000, fit.verifyTime(0) + excess[0], 1_000);
    assertTrue(
        fit.verifyTime(2) + excess[2] > 1_500_000,
        "a drafting step is still priced at what drafting steps measured, got "
            + (fit.verifyTime(2) + excess[2]));
  }

  /**
   * One stream whose drafting steps verify in 1 ms + 0.2 ms a position while a plain step verifies
   * in 0.4 ms: at α = 0.8 a token costs 0.66 ms at k = 2 and 0.4 ms plain, so plain is fastest. The
   * prior (0.6 ms + 0.35 ms a position) says drafting pays, and a fit made of drafting steps said
   * so too, pricing a plain step at its 1.2 ms intercept. Priced by what plain steps measured (the
   * probes the pair takes among drafting steps), the request stops drafting and stays stopped.
   */
  @Test
  void plainDecodingThatVerifiesFasterThanTheDraftingStepsLineWins() {
    assertTrue(plainShare(400_000) > 0.9, "plain verifies off the drafting steps' line");
    assertTrue(plainShare(1_200_000) < 0.2, "plain verifies on the line: drafting pays");
  }

  /** Share of plain steps among a long request's last 400, with plain verifies of {@code plain}. */
  private static double plainShare(long plainVerify) {
    int[] ks =
        kChosen(
            new LatencyModel(300_000, 600_000, 350_000),
            new LoopState(0, 100_000, 0, 0, 0, 0, 0.8),
            1200,
            k -> k == 0 ? plainVerify : 1_000_000 + 200_000L * (k + 1),
            k -> 0);
    assertTrue(ks[0] > 0, "the prior says drafting pays, got k = " + ks[0]);
    int plain = 0;
    for (int i = 801; i < ks.length; i++) {
      plain += ks[i] == 0 ? 1 : 0;
    }
    return plain / 400.0;
  }

  /**
   * One stream whose first plain steps were dear (a cold JIT) and which then drafts, with a plain
   * probe in every 32 steps: a probe moves the plain estimates by the 32 steps that passed, not by
   * one plain sample's weight, so the first plain steps do not price plain decoding for hundreds of
   * steps. At 32 streams, 32 of the pair's steps are one step of each stream.
   */
  @Test
  void plainEstimatesForgetAtThePaceOfAStreamsSteps() {
    assertEquals(StepCosts.WEIGHT, StepCosts.plainWeight(0, 1), 1e-12);
    assertEquals(1 - 0.95 * 0.95, StepCosts.plainWeight(1, 1), 1e-12);
    assertEquals(StepCosts.MAX_PLAIN_WEIGHT, StepCosts.plainWeight(31, 1), 1e-12);
    assertEquals(1 - 0.95 * 0.95, StepCosts.plainWeight(32, 32), 1e-12, "a step per stream");
    StepCosts costs = new StepCosts();
    LatencyModel prior = new LatencyModel(20, 600_000, 350_000);
    for (int i = 0; i < 20; i++) { // cold: 1 ms beyond the model, verifies of 1 ms
      costs.record(0, 2_000_000, 1_000_000);
      costs.observe(new StepRecord(0, 0, 0, 1, 0, 1_000_000), prior);
    }
    for (int i = 0; i < 31; i++) {
      costs.record(2, 1_500_000, 1_400_000);
      costs.observe(new StepRecord(2, 2, 1, 2, 40, 1_400_000), prior);
    }
    costs.record(0, 450_000, 400_000); // a probe: 50 µs beyond a 0.4 ms verify
    costs.observe(new StepRecord(0, 0, 0, 1, 0, 400_000), prior);
    assertEquals(525_000, overhead(costs, 0), 1e-6, "halfway to the probe's 50 µs");
    LatencyModel fit = costs.latency(prior);
    double plainVerify = fit.verifyTime(0) + costs.verifyExcess(2, fit)[0];
    assertEquals(700_000, plainVerify, 1e-6, "halfway to the probe's 0.4 ms");
  }

  @Test
  void aPlainProbeIsDueOnceForEveryRunOfDraftingSteps() {
    StepCosts costs = new StepCosts();
    for (int i = 0; i < 31; i++) {
      costs.record(3, 1000, 1000);
    }
    assertFalse(costs.takePlainProbe(32));
    costs.record(3, 1000, 1000);
    assertTrue(costs.takePlainProbe(32));
    assertFalse(costs.takePlainProbe(32), "taken once");
    for (int i = 0; i < 20; i++) {
      costs.record(3, 1000, 1000);
    }
    costs.record(0, 1000, 1000); // a plain step (any request's) starts the count again
    for (int i = 0; i < 20; i++) {
      costs.record(3, 1000, 1000);
    }
    assertFalse(costs.takePlainProbe(32));
  }

  @Test
  void thePairsLatencyFitIsThePriorUntilAStepAndThenEveryRequestsSteps() {
    StepCosts costs = new StepCosts();
    LatencyModel prior = new LatencyModel(20, 2000, 100);
    assertEquals(prior, costs.latency(prior));
    costs.observe(new StepRecord(2, 2, 1, 2, 40, 2600), prior);
    LatencyModel fitted = costs.latency(new LatencyModel(1, 1, 1));
    assertEquals(20, fitted.draftPerToken(), 1e-9);
    assertEquals(2600, fitted.verifyTime(2), 1e-9);
  }

  /**
   * Short requests (20 steps each) of one pair whose verify calls cost 200 + 800 ns per position: a
   * block costs nearly what its positions would as plain steps, so plain decoding is fastest at α =
   * 0.8. The prior (2000 + 100 per position) says drafting pays, and a request that only ever
   * drafted one length could not tell otherwise: its fit put the block's cost into the fixed part.
   */
  @Test
  void plainProbesSharedByThePairsRequestsTeachThemWhatAPlainStepCosts() {
    StepCosts costs = new StepCosts();
    long[] now = {0};
    LoopState state = new LoopState(0, 10_000, 0, 0, 0, 0, 0.8);
    int plainLater = 0;
    int stepsLater = 0;
    for (int request = 0; request < 40; request++) {
      AdaptiveDraftLength chooser =
          AdaptiveDraftLength.fastest(8, new LatencyModel(20, 2000, 100))
              .learningStepCosts(() -> costs, () -> now[0]);
      int k = chooser.chooseK(state);
      for (int step = 0; step < 20; step++) {
        long draft = 20L * k;
        long verify = 200 + 800L * (k + 1);
        chooser.observe(new StepRecord(k, k, 0, 1, draft, verify));
        now[0] += draft + verify;
        k = chooser.chooseK(state);
        if (request >= 20) {
          stepsLater++;
          plainLater += k == 0 ? 1 : 0;
        }
      }
    }
    assertTrue(
        plainLater > 0.8 * stepsLater, plainLater + " of " + stepsLater + " later steps plain");
  }

  /**
   * A drafter thread shared with other requests: every drafting step first waits 20,000 ns for it,
   * then drafts at 20 ns a token; verifying costs 10,000 + 100 ns per position. At α = 0.8 a draft
   * of 8 serves a token for about 7,200 ns against plain's 10,100 — but a chooser that priced the
   * wait per draft token learnt it from the one-token probes it takes while acceptance was low
   * (t_draft ≈ 20,000) and never drafted again once acceptance rose. Priced as the step's overhead,
   * the wait leaves drafting long worth it.
   */
  @Test
  void waitingForASharedDrafterIsAStepsCostNotATokens() {
    StepCosts costs = new StepCosts();
    long[] now = {0};
    AdaptiveDraftLength chooser =
        AdaptiveDraftLength.fastest(8, new LatencyModel(20, 10_000, 100))
            .learningStepCosts(() -> costs, () -> now[0]);
    LoopState low = new LoopState(0, 10_000, 0, 0, 0, 0, 0.2);
    LoopState high = new LoopState(0, 10_000, 0, 0, 0, 0, 0.8);
    int drafting = 0;
    int k = chooser.chooseK(low);
    for (int i = 0; i < 400; i++) {
      long drafted = 20L * k;
      long draftStage = k == 0 ? 0 : 20_000 + drafted;
      long verify = 10_000 + 100L * (k + 1);
      chooser.observe(new StepRecord(k, k, 0, 1, draftStage, verify, drafted));
      now[0] += draftStage + verify;
      k = chooser.chooseK(i < 200 ? low : high);
      if (i >= 300) {
        drafting += k > 0 ? 1 : 0;
      }
    }
    assertTrue(drafting > 90, drafting + " of the last 100 steps drafted");
  }

  /**
   * A request that learns only when told (a seeded sampled one, learning while other streams share
   * its verifier): until then it prices with its prior whatever the pair learned and whatever its
   * own steps measured, and records nothing; told, it prices with the pair's costs and records its
   * steps (the last of them when the next step is chosen, learning or not); untold again, the prior
   * is back and the untold step's cycle is not recorded.
   */
  @Test
  void aRequestThatLearnsOnlyWhenToldPricesWithItsPriorOtherwiseAndTeachesNothing() {
    StepCosts costs = new StepCosts();
    for (int i = 0; i < 2 * StepCosts.MIN_SAMPLES; i++) { // the pair: drafting steps cost 4000 more
      costs.record(0, 1010, 1010);
      costs.record(2, 1030 + 4000, 1030);
    }
    long[] now = {0};
    boolean[] shared = {false};
    AdaptiveDraftLength chooser =
        AdaptiveDraftLength.fastest(8, new LatencyModel(20, 1000, 10))
            .learningStepCostsWhen(() -> costs, () -> now[0], () -> shared[0]);
    LoopState state = new LoopState(0, 10_000, 0, 0, 0, 0, 0.8);
    int alone = chooser.chooseK(state);
    assertTrue(alone > 0, "the prior: drafting pays at α = 0.8, got k = " + alone);
    long[] recorded = new long[DraftBlock.MAX_DRAFT + 1];
    for (int k = 0; k <= DraftBlock.MAX_DRAFT; k++) {
      recorded[k] = costs.samples(k);
    }
    LatencyModel pairFit = costs.latency(new LatencyModel(1, 1, 1));
    for (int i = 0; i < 50; i++) { // its steps measure a verify call 1000× dearer than the prior
      chooser.observe(new StepRecord(alone, 0, 0, 1, 20L * alone, 1_000_000));
      now[0] += 2_000_000;
      assertEquals(alone, chooser.chooseK(state), "alone: the prior alone, at step " + i);
    }
    for (int k = 0; k <= DraftBlock.MAX_DRAFT; k++) {
      assertEquals(recorded[k], costs.samples(k), "nothing recorded for k = " + k);
    }
    assertEquals(pairFit, costs.latency(new LatencyModel(1, 1, 1)), "the pair's fit untouched");

    shared[0] = true;
    assertEquals(0, chooser.chooseK(state), "shared: the pair's dear drafting steps");
    chooser.observe(new StepRecord(0, 0, 0, 1, 0, 1010));
    now[0] += 1010;
    chooser.chooseK(state);
    assertEquals(recorded[0] + 1, costs.samples(0), "a learning step's cycle is recorded");

    chooser.observe(new StepRecord(0, 0, 0, 1, 0, 1010));
    now[0] += 1010;
    shared[0] = false;
    assertEquals(alone, chooser.chooseK(state), "alone again: the prior");
    assertEquals(recorded[0] + 2, costs.samples(0), "the last learning step's cycle is recorded");
    chooser.observe(new StepRecord(alone, 0, 0, 1, 20L * alone, 1030));
    now[0] += 5_000;
    shared[0] = true;
    chooser.chooseK(state);
    assertEquals(recorded[alone], costs.samples(alone), "the alone step's cycle is not");
  }
}
