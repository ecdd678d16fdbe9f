package dev.tandem.speccore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Acceptance estimates on simulated steps where each draft token is accepted independently with a
 * known α (the model the estimator assumes). Tolerances are stated as multiples of the estimator's
 * standard deviation; seeds are fixed, so each test is deterministic.
 */
class AcceptanceStatsTest {

  /** Accepted count of one simulated step: the run of successes before the first failure. */
  private static int simulateStep(double alpha, int k, SplittableRandom rng) {
    int accepted = 0;
    while (accepted < k && rng.nextDouble() < alpha) {
      accepted++;
    }
    return accepted;
  }

  @Test
  void countsTrialsUpToTheFirstRejection() {
    assertEquals(3, AcceptanceStats.trials(4, 2)); // two successes, one failure, one never tried
    assertEquals(4, AcceptanceStats.trials(4, 4));
    assertEquals(1, AcceptanceStats.trials(4, 0));
    assertEquals(0, AcceptanceStats.trials(0, 0));
    var e = assertThrows(IllegalArgumentException.class, () -> AcceptanceStats.trials(2, 3));
    assertTrue(e.getMessage().startsWith("accepted must be in 0..proposed"));
  }

  @Test
  void convergesToTheTrueAlphaWithoutTheGeometricBias() {
    // 3000 steps of k = 4 at α = 0.7 make ~8,000 trials: sd of the estimate ≈ sqrt(.21 / 8000) ≈
    // 0.005, so ±0.03 is 6 sd (false failure < 1e-8). accepted / proposed would give ≈ 0.52.
    AcceptanceStats stats = new AcceptanceStats(0.5, 10, 1.0);
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < 3000; i++) {
      stats.record(4, simulateStep(0.7, 4, rng));
    }
    assertEquals(0.7, stats.alpha(), 0.03);
  }

  @Test
  void decayFollowsAChangeInAlpha() {
    // After the switch, 2000 steps at decay 0.995 leave a memory of ~200 steps (~280 trials at
    // α = 0.3, k = 4): sd ≈ 0.027, and the 0.9-era weight is 0.995^2000 ≈ 4e-5; ±0.12 is 4.4 sd
    // (false failure ≈ 1e-5).
    AcceptanceStats stats = new AcceptanceStats(0.5, 10, 0.995);
    SplittableRandom rng = new SplittableRandom(2);
    for (int i = 0; i < 2000; i++) {
      stats.record(4, simulateStep(0.9, 4, rng));
    }
    assertTrue(stats.alpha() > 0.8, "alpha " + stats.alpha());
    for (int i = 0; i < 2000; i++) {
      stats.record(4, simulateStep(0.3, 4, rng));
    }
    assertEquals(0.3, stats.alpha(), 0.12);
  }

  @Test
  void aRequestStartsAtThePairsAlphaAndMovesToItsOwn() {
    AcceptanceStats pair = new AcceptanceStats(0.6, 10, 1.0);
    RequestAcceptance request = pair.forRequest();
    assertEquals(pair.alpha(), request.alpha(), 1e-12);

    for (int i = 0; i < 50; i++) {
      request.record(4, 4); // this request drafts perfectly
    }

    assertEquals(200, request.trials());
    // (200 + 8 · α_pair) / (200 + 8), with α_pair itself pulled up by the same trials.
    double expected = (200 + RequestAcceptance.DEFAULT_GLOBAL_WEIGHT * pair.alpha()) / 208;
    assertEquals(expected, request.alpha(), 1e-12);
    assertTrue(request.alpha() > 0.98);
    assertTrue(pair.alpha() > 0.9, "the pair learned from the request too");
  }

  @Test
  void stepsWithoutDraftsChangeNothing() {
    AcceptanceStats stats = new AcceptanceStats(0.6, 10, 0.5);
    stats.record(0, 0);
    assertEquals(0.6, stats.alpha(), 1e-12);
  }

  @Test
  void theRegistryKeepsOneStatsPerPair() {
    AcceptanceStatsRegistry registry = new AcceptanceStatsRegistry();
    AcceptanceStats ngram = registry.forPair("ngram(n=3)", "llama-70b");
    assertSame(ngram, registry.forPair("ngram(n=3)", "llama-70b"));
    assertTrue(ngram != registry.forPair("tiny-llama", "llama-70b"));
    ngram.record(2, 2);
    assertEquals(
        ngram.alpha(),
        registry.alphas().get(new AcceptanceStatsRegistry.Pair("ngram(n=3)", "llama-70b")));
    var e = assertThrows(IllegalArgumentException.class, () -> registry.forPair("", "x"));
    assertTrue(e.getMessage().startsWith("drafter and verifier must be non-blank"));
  }

  @Test
  void theRegistryKeepsOneStatsPerSamplingTemperatureInTenths() {
    AcceptanceStatsRegistry registry = new AcceptanceStatsRegistry();
    AcceptanceStats greedy = registry.forPair("d", "v");
    assertSame(greedy, registry.forPair("d", "v", SamplingParams.GREEDY));
    AcceptanceStats warm = registry.forPair("d", "v", sampling(0.7f));
    assertTrue(warm != greedy);
    assertSame(warm, registry.forPair("d", "v", sampling(0.72f)));
    assertTrue(warm != registry.forPair("d", "v", sampling(0.8f)));
    // sampling near 0 is still sampling; the largest temperature has a bucket
    AcceptanceStats cold = registry.forPair("d", "v", sampling(0.01f));
    assertTrue(cold != greedy);
    assertSame(cold, registry.forPair("d", "v", sampling(0.1f)));
    registry.forPair("d", "v", sampling(SamplingParams.MAX_TEMPERATURE)).record(2, 2);
    assertTrue(
        registry.alphas().containsKey(new AcceptanceStatsRegistry.Pair("d", "v", 20)),
        registry.alphas().toString());
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> new AcceptanceStatsRegistry.Pair("d", "v", 21));
    assertEquals("temperatureTenths must be in 0..20, got 21", e.getMessage());
  }

  /**
   * A request that shares only when told reads the pair's estimate then, and otherwise one that its
   * own steps alone have taught: there it is a fresh request fed the same steps, whatever the pair
   * has learned from others. Its steps teach the pair either way.
   */
  @Test
  void aRequestThatSharesOnlyWhenToldReadsItsOwnStepsOtherwise() {
    AcceptanceStats pair = AcceptanceStats.withDefaults();
    for (int i = 0; i < 200; i++) {
      pair.record(8, 8); // other requests: every draft right
    }
    boolean[] sharing = {false};
    RequestAcceptance seeded = RequestAcceptance.sharingWhen(pair, 8, () -> sharing[0]);
    RequestAcceptance alone = new RequestAcceptance(AcceptanceStats.withDefaults(), 8);
    for (int[] step : new int[][] {{4, 1}, {2, 2}, {3, 0}}) {
      seeded.record(step[0], step[1]);
      alone.record(step[0], step[1]);
    }
    assertEquals(alone.alpha(), seeded.alpha(), 1e-15);
    assertArrayEquals(alone.expectedTokens(8), seeded.expectedTokens(8), 1e-15);
    sharing[0] = true;
    assertTrue(seeded.alpha() > alone.alpha() + 0.2, "beside others: the pair's " + seeded);
    double pairBefore = pair.alpha();
    seeded.record(4, 0);
    assertTrue(pair.alpha() < pairBefore, "its steps teach the pair");
  }

  private static SamplingParams sampling(float temperature) {
    return new SamplingParams(temperature, 1f, 0, 0);
  }

  @Test
  void rejectsABadPrior() {
    var alpha = assertThrows(IllegalArgumentException.class, () -> new AcceptanceStats(1.2, 10, 1));
    assertTrue(alpha.getMessage().startsWith("priorAlpha"));
    var decay = assertThrows(IllegalArgumentException.class, () -> new AcceptanceStats(0.5, 10, 0));
    assertTrue(decay.getMessage().startsWith("decay"));
  }

  @Test
  void positionAlphasStayAtAlphaWhenAcceptanceIsIndependent() {
    // 4000 steps of k = 8 at α = 0.7: position j gets 4000·0.7^(j−1) trials, ≥ 470 at j = 7, so
    // sd ≤ sqrt(.21 / 470) ≈ 0.021 there; ±0.1 is about 5 sd.
    AcceptanceStats stats = new AcceptanceStats(0.6, 10, 1);
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < 4000; i++) {
      stats.record(8, simulateStep(0.7, 8, rng));
    }
    double[] alphas = stats.positionAlphas();
    assertEquals(DraftBlock.MAX_DRAFT, alphas.length);
    for (int j = 0; j < 7; j++) {
      assertEquals(0.7, alphas[j], 0.1, "position " + (j + 1));
    }
    // never tried past k = 8: the pooled estimate
    assertEquals(stats.alpha(), alphas[DraftBlock.MAX_DRAFT - 1], 1e-12);
  }

  @Test
  void positionAlphasRiseWhenBlocksAreInEasyOrHardStretches() {
    // half the steps in easy text (α = 0.95), half in hard (α = 0.3): the first draft is accepted
    // with 0.625, but a block that got past four drafts is almost surely in easy text.
    AcceptanceStats stats = new AcceptanceStats(0.6, 10, 1);
    SplittableRandom rng = new SplittableRandom(9);
    for (int i = 0; i < 4000; i++) {
      stats.record(8, simulateStep(i % 2 == 0 ? 0.95 : 0.3, 8, rng));
    }
    double[] alphas = stats.positionAlphas();
    assertEquals(0.625, alphas[0], 0.03);
    assertTrue(alphas[4] > 0.9, "position 5: " + alphas[4]);
    // E(8) of a step drawn from the mix: half (1 − 0.95^9) / 0.05, half (1 − 0.3^9) / 0.7 = 4.41.
    // The pooled α counts the easy steps' many trials more, so the geometric model at it is far
    // off (4.92); the curve from the positions is not.
    double truth = 0.5 * (1 - Math.pow(0.95, 9)) / 0.05 + 0.5 * (1 - Math.pow(0.3, 9)) / 0.7;
    double[] expected = new RequestAcceptance(stats, 1e-9).expectedTokens(8);
    assertEquals(truth, expected[8], 0.15);
    assertTrue(Math.abs(SpeculationPolicy.expectedTokens(stats.alpha(), 8) - truth) > 0.4);
  }

  @Test
  void aRequestCurveWithoutPositionDataIsTheGeometricOne() {
    AcceptanceStats stats = AcceptanceStats.withDefaults();
    RequestAcceptance request = stats.forRequest();
    request.record(4, 2);
    request.record(4, 4);
    double[] expected = request.expectedTokens(6);
    // the pair's positions 1..4 now have data, 5..6 only the prior: compare where the curve is flat
    RequestAcceptance fresh = AcceptanceStats.withDefaults().forRequest();
    double[] flat = fresh.expectedTokens(6);
    for (int k = 0; k <= 6; k++) {
      assertEquals(SpeculationPolicy.expectedTokens(fresh.alpha(), k), flat[k], 1e-12, "k=" + k);
    }
    assertEquals(1, expected[0]);
    assertThrows(IllegalArgumentException.class, () -> fresh.expectedTokens(-1));
  }

  @Test
  void recordsFromManyThreadsAtOnceAreAllCounted() throws Exception {
    AcceptanceStats stats = new AcceptanceStats(0.5, 10, 1); // no decay: every step must count
    int threads = 4;
    int steps = 20_000;
    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  double[] alphas = new double[DraftBlock.MAX_DRAFT];
                  for (int i = 0; i < steps; i++) {
                    stats.record(2, 1); // two trials: one success, one failure
                    stats.positionAlphas(alphas); // readers interleaved with the writers
                  }
                  return null;
                }));
      }
      for (java.util.concurrent.Future<?> f : done) {
        f.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    int n = threads * steps;
    assertEquals((n + 5.0) / (2.0 * n + 10), stats.alpha(), 1e-15);
    double[] alphas = stats.positionAlphas();
    assertEquals((n + 0.5 * 10) / (n + 10), alphas[0], 1e-12); // position 1: n trials, n successes
    assertEquals((0 + 0.5 * 10) / (n + 10), alphas[1], 1e-12); // position 2: n trials, none
  }

  @Test
  void theCurveWrittenInPlaceIsTheOneReturned() {
    AcceptanceStats stats = AcceptanceStats.withDefaults();
    RequestAcceptance request = stats.forRequest();
    SplittableRandom rng = new SplittableRandom(7);
    for (int i = 0; i < 200; i++) {
      request.record(6, simulateStep(0.8, 6, rng));
    }
    double[] inPlace = new double[DraftBlock.MAX_DRAFT + 1];
    java.util.Arrays.fill(inPlace, -1);
    assertEquals(request.alpha(), request.expectedTokens(inPlace));
    assertTrue(java.util.Arrays.equals(request.expectedTokens(DraftBlock.MAX_DRAFT), inPlace));
    assertThrows(IllegalArgumentException.class, () -> request.expectedTokens(new double[0]));
  }
}
