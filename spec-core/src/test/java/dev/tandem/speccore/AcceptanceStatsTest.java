package dev.tandem.speccore;

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
  void rejectsABadPrior() {
    var alpha = assertThrows(IllegalArgumentException.class, () -> new AcceptanceStats(1.2, 10, 1));
    assertTrue(alpha.getMessage().startsWith("priorAlpha"));
    var decay = assertThrows(IllegalArgumentException.class, () -> new AcceptanceStats(0.5, 10, 0));
    assertTrue(decay.getMessage().startsWith("decay"));
  }
}
