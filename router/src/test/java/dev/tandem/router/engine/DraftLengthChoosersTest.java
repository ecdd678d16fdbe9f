package dev.tandem.router.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import dev.tandem.router.api.GenerationRequest.SpeculationOverride;
import dev.tandem.speccore.AcceptanceStats;
import dev.tandem.speccore.AcceptanceStatsRegistry;
import dev.tandem.speccore.DraftLengthChooser;
import dev.tandem.speccore.LatencyModel;
import dev.tandem.speccore.LoopState;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.StepCosts;
import dev.tandem.speccore.StepPrior;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which chooser a request gets, the step prior a seeded sampled request keeps while it is alone on
 * the router, and the acceptance estimate each request reads.
 */
class DraftLengthChoosersTest {

  private static final SpeculationSettings AUTO =
      new SpeculationSettings(8, SpeculationMode.AUTO, 4, 0, Duration.ofSeconds(1));

  /**
   * A seeded sampled request alone on the router learns no latencies (the seed must reproduce its
   * output), so its prior decides: at α = 0.3 one draft token saves 0.3 of a verify call. Against a
   * 2 ms local call that does not pay for the draft and the extra position; against a remote call
   * (20 ms) it does.
   */
  @Test
  void aSampledRequestOnARemoteTierDraftsWhereOnALocalOneItDecodesPlain() {
    LoopState lowAlpha = new LoopState(10, 64, 9, 12, 4, 21, 0.3);
    assertEquals(0, chooser(true).chooseK(lowAlpha), "local prior: a 2 ms call");
    assertTrue(chooser(false).chooseK(lowAlpha) > 0, "remote prior: a 20 ms call");
  }

  /**
   * A tier's own prior replaces the generic one for its seeded sampled requests. At α = 0.6 the
   * generic local prior drafts; a prior where a scored position costs 0.4 of a plain step and a
   * draft token a third of one does not; at α = 0.9 that prior drafts, unless a drafting step also
   * carries a fixed cost of two plain steps.
   */
  @Test
  void aSampledRequestKeepsItsTiersOwnPriorWithItsDraftStepCost() {
    LoopState alpha06 = new LoopState(10, 64, 9, 12, 4, 21, 0.6);
    LoopState alpha09 = new LoopState(10, 64, 9, 12, 4, 21, 0.9);
    assertTrue(chooser(true).chooseK(alpha06) > 0, "generic local prior: drafts at α = 0.6");
    LatencyModel cpu = new LatencyModel(300_000, 540_000, 360_000); // a plain step 0.9 ms
    assertEquals(0, chooser(StepPrior.of(cpu)).chooseK(alpha06), "the tier's prior, α = 0.6");
    assertTrue(chooser(StepPrior.of(cpu)).chooseK(alpha09) > 0, "the tier's prior, α = 0.9");
    assertEquals(
        0,
        chooser(new StepPrior(cpu, 1_800_000)).chooseK(alpha09),
        "with a drafting step's fixed cost, α = 0.9");
  }

  /**
   * A seeded sampled request learns no step costs while it is alone on the router (they are
   * measured, and its seed must reproduce its output); an unseeded one, whose output is random
   * anyway, learns them like a greedy one: a pair whose drafting steps were measured to cost 2 ms
   * more than plain ones turns its drafting off, the lone seeded request does not. Beside another
   * stream (whose traffic its k depends on anyway) the seeded request learns too.
   */
  @Test
  void aSeededRequestLearnsStepCostsOnlyBesideOtherStreams() {
    LoopState alpha06 = new LoopState(10, 64, 9, 12, 4, 21, 0.6);
    StepCosts dear = new StepCosts();
    for (int i = 0; i < 2 * StepCosts.MIN_SAMPLES; i++) {
      dear.record(0, 2_500_000, 2_500_000); // plain: what the prior says
      dear.record(1, 6_000_000, 4_000_000); // k = 1: 2 ms more than the prior says
    }
    assertTrue(chooser(sampled(true), dear, 1).chooseK(alpha06) > 0, "seeded, alone: the prior");
    assertEquals(0, chooser(sampled(false), dear, 1).chooseK(alpha06), "unseeded: learned costs");
    assertEquals(0, chooser(sampled(true), dear, 2).chooseK(alpha06), "seeded, beside another");
  }

  /**
   * A request reads the pair's acceptance at its own temperature: a greedy one the greedy estimate,
   * an unseeded sampled one its temperature's, a seeded one its temperature's beside other streams
   * and, alone, only what its own steps taught it (none yet: the default prior).
   */
  @Test
  void sampledRequestsReadThePairsAcceptanceAtTheirTemperature() {
    AcceptanceStatsRegistry registry = new AcceptanceStatsRegistry();
    AcceptanceStats warm = registry.forPair("d", "v", sampled(false).sampling());
    for (int i = 0; i < 200; i++) {
      warm.record(8, 8);
    }
    double prior = AcceptanceStats.DEFAULT_PRIOR_ALPHA;
    GenerationRequest greedy =
        UnopenedTier.request(
            SamplingParams.GREEDY, new SpeculationOverride(SpeculationMode.AUTO, 0, "auto"), false);
    assertEquals(prior, acceptance(greedy, registry, 2), 1e-12, "greedy");
    assertTrue(acceptance(sampled(false), registry, 1) > 0.9, "unseeded");
    assertEquals(prior, acceptance(sampled(true), registry, 1), 1e-12, "seeded, alone");
    assertTrue(acceptance(sampled(true), registry, 2) > 0.9, "seeded, beside another");
  }

  /**
   * A request's draft session gets ready with the verifier's prefill only where it is expected to
   * draft soon: a fixed k; an adaptive k before its pair chose anything and while the pair's steps
   * chose a mean k of at least {@link DraftLengthChoosers#DRAFTING_MEAN_K}; never with speculation
   * off (by mode, by the none drafter, or by the router's default mode).
   */
  @Test
  void onlyARequestExpectedToDraftSoonOpensItsDraftSessionEagerly() {
    StepCosts fresh = new StepCosts();
    StepCosts plain = new StepCosts();
    StepCosts drafting = new StepCosts();
    for (int i = 0; i < StepCosts.MIN_CHOICES; i++) {
      plain.chose(i % 8 == 0 ? 1 : 0); // mean 0.25
      drafting.chose(i % 2 == 0 ? 1 : 0); // mean 0.5
    }
    GenerationRequest auto = withMode(SpeculationMode.AUTO, 0, "model");
    assertTrue(DraftLengthChoosers.draftsSoon(auto, AUTO, () -> fresh), "nothing chosen yet");
    assertFalse(DraftLengthChoosers.draftsSoon(auto, AUTO, () -> plain), "mean k 0.25");
    assertTrue(DraftLengthChoosers.draftsSoon(auto, AUTO, () -> drafting), "mean k 0.5");
    assertTrue(
        DraftLengthChoosers.draftsSoon(
            withMode(SpeculationMode.FIXED, 2, "model"), AUTO, () -> plain),
        "fixed k");
    SpeculationSettings offByDefault =
        new SpeculationSettings(8, SpeculationMode.OFF, 4, 0, Duration.ofSeconds(1));
    for (var request :
        List.of(
            withMode(SpeculationMode.OFF, 0, "model"),
            withMode(SpeculationMode.FIXED, 2, "none"))) {
      assertEquals(SpeculationMode.OFF, DraftLengthChoosers.mode(request, AUTO));
      assertFalse(DraftLengthChoosers.draftsSoon(request, AUTO, () -> drafting));
    }
    assertEquals(SpeculationMode.OFF, DraftLengthChoosers.mode(auto, offByDefault));
    assertEquals(
        SpeculationMode.AUTO,
        DraftLengthChoosers.mode(withMode(SpeculationMode.AUTO, 4, "model"), offByDefault),
        "auto with its own k cap names its mode");
  }

  private static GenerationRequest withMode(SpeculationMode mode, int k, String drafter) {
    return UnopenedTier.request(
        SamplingParams.GREEDY, new SpeculationOverride(mode, k, drafter), false);
  }

  /** The α a request's k is first chosen with, {@code streams} in flight. */
  private static double acceptance(
      GenerationRequest request, AcceptanceStatsRegistry registry, int streams) {
    return DraftLengthChoosers.acceptance(request, registry, "d", "v", () -> streams).alpha();
  }

  /** On a remote tier (not throughput-bound), with {@code streams} in flight on the router. */
  private static DraftLengthChooser chooser(
      GenerationRequest request, StepCosts costs, int streams) {
    return DraftLengthChoosers.forRequest(
        request,
        AUTO,
        UnopenedTier.of(false).withStepPrior(StepPrior.of(DraftLengthChoosers.PRIOR.latency())),
        16,
        () -> costs,
        () -> streams,
        () -> 0);
  }

  private static DraftLengthChooser chooser(StepPrior prior) {
    return chooser(sampled(true), UnopenedTier.of(true).withStepPrior(prior), 1);
  }

  private static DraftLengthChooser chooser(boolean local) {
    return chooser(sampled(true), UnopenedTier.of(local), 1);
  }

  private static DraftLengthChooser chooser(GenerationRequest request, Tier tier, int streams) {
    return DraftLengthChoosers.forRequest(
        request, AUTO, tier, 16, StepCosts::new, () -> streams, () -> 0);
  }

  private static GenerationRequest sampled(boolean seeded) {
    return UnopenedTier.request(
        new SamplingParams(0.8f, 1f, 0, 7),
        new SpeculationOverride(SpeculationMode.AUTO, 0, "auto"),
        seeded);
  }
}
