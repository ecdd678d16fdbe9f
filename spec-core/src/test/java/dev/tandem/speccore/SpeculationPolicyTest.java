package dev.tandem.speccore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link SpeculationPolicy#chooseK} against brute force over a grid, with E(k) computed the slow
 * way (a sum of α^i) rather than the closed form.
 */
class SpeculationPolicyTest {

  /** Relative tolerance under which two objective values count as a tie (smaller k wins). */
  private static final double TIE = SpeculationPolicy.TIE;

  private static double expectedTokensBySum(double alpha, int k) {
    double sum = 0;
    for (int i = 0; i <= k; i++) {
      sum += Math.pow(alpha, i);
    }
    return sum;
  }

  /** The stated rule, spelled out: best feasible k, else the least violating; ties to small k. */
  private static int bruteForce(
      double alpha, int kMax, LatencyModel lat, Prices prices, Objective objective, double limit) {
    double[] value = new double[kMax + 1];
    double[] constrained = new double[kMax + 1];
    for (int k = 0; k <= kMax; k++) {
      double e = expectedTokensBySum(alpha, k);
      double time =
          (k * lat.draftPerToken() + lat.verifyFixed() + lat.verifyPerPosition() * (k + 1)) / e;
      VerifierPricing v = prices.verifier();
      double cost = (v.perCall() + v.perPosition() * (k + 1) + prices.perDraftToken() * k) / e;
      value[k] = objective == Objective.MIN_LATENCY_WITHIN_COST ? time : cost;
      constrained[k] = objective == Objective.MIN_LATENCY_WITHIN_COST ? cost : time;
    }
    double best = Double.POSITIVE_INFINITY;
    for (int k = 0; k <= kMax; k++) {
      if (constrained[k] <= limit) {
        best = Math.min(best, value[k]);
      }
    }
    for (int k = 0; k <= kMax; k++) {
      if (constrained[k] <= limit && value[k] <= best + Math.abs(best) * TIE) {
        return k;
      }
    }
    double leastExcess = Double.POSITIVE_INFINITY;
    for (int k = 0; k <= kMax; k++) {
      leastExcess = Math.min(leastExcess, constrained[k] - limit);
    }
    for (int k = 0; k <= kMax; k++) {
      if (constrained[k] - limit <= leastExcess + Math.abs(leastExcess) * TIE) {
        return k;
      }
    }
    throw new AssertionError("unreachable");
  }

  @Test
  void chooseKEqualsBruteForceOverAGrid() {
    double[] alphas = {0, 0.2, 0.5, 0.7, 0.8, 0.9, 0.97, 1};
    double[] draftCosts = {0, 0.5, 2, 10, 40};
    double[][] verifyCosts = {{20, 0}, {20, 1}, {5, 5}, {50, 0.2}};
    Prices[] prices = {
      Prices.FREE,
      new Prices(new VerifierPricing.SelfHosted(0, 1, 0), 0),
      new Prices(new VerifierPricing.SelfHosted(0, 1, 0), 0.05),
      new Prices(new VerifierPricing.SelfHosted(0, 0.2, 0), 1),
      new Prices(new VerifierPricing.SelfHosted(5, 0.2, 0.1), 0.05),
      new Prices(new VerifierPricing.PerToken(3e6, 1.5e6), 0.1)
    };
    double[] limits = {Double.POSITIVE_INFINITY, 3, 1.2, 1.0, 0.8, 0.3, 15, 8, 0};
    int cases = 0;
    for (double alpha : alphas) {
      for (double draft : draftCosts) {
        for (double[] verify : verifyCosts) {
          LatencyModel lat = new LatencyModel(draft, verify[0], verify[1]);
          for (Prices price : prices) {
            for (Objective objective : Objective.values()) {
              for (double limit : limits) {
                for (int kMax : new int[] {0, 1, 4, 8, 16}) {
                  int expected = bruteForce(alpha, kMax, lat, price, objective, limit);
                  int actual = SpeculationPolicy.chooseK(alpha, kMax, lat, price, objective, limit);
                  assertEquals(
                      expected,
                      actual,
                      "alpha=" + alpha + " " + lat + " " + price + " " + objective + " limit="
                          + limit + " kMax=" + kMax);
                  cases++;
                }
              }
            }
          }
        }
      }
    }
    assertTrue(cases > 10_000);
  }

  @Test
  void expectedTokensMatchesTheGeometricSum() {
    for (double alpha : new double[] {0, 0.3, 0.8, 0.999, 1}) {
      for (int k = 0; k <= 16; k++) {
        assertEquals(
            expectedTokensBySum(alpha, k), SpeculationPolicy.expectedTokens(alpha, k), 1e-9);
      }
    }
  }

  @Test
  void noDraftingWhenItCannotPay() {
    LatencyModel cheapDraft = new LatencyModel(1, 30, 0.5);
    LatencyModel slowDraft = new LatencyModel(40, 30, 0.5);
    Objective fastest = Objective.MIN_LATENCY_WITHIN_COST;
    double none = Double.POSITIVE_INFINITY;

    assertEquals(0, SpeculationPolicy.chooseK(0, 8, cheapDraft, Prices.FREE, fastest, none));
    assertEquals(0, SpeculationPolicy.chooseK(0.5, 8, slowDraft, Prices.FREE, fastest, none));
    assertTrue(SpeculationPolicy.chooseK(0.8, 8, cheapDraft, Prices.FREE, fastest, none) >= 3);
    // Drafting makes each token cost more when α is low: a tight budget forbids it.
    Prices prices = new Prices(new VerifierPricing.SelfHosted(0, 1, 0), 0.1);
    assertEquals(0, SpeculationPolicy.chooseK(0.3, 8, cheapDraft, prices, fastest, 1.0));
    // Cheapest k within a latency target: α = 0 makes every k > 0 both slower and dearer.
    assertEquals(
        0,
        SpeculationPolicy.chooseK(0, 8, cheapDraft, prices, Objective.MIN_COST_WITHIN_LATENCY, 1));
  }

  @Test
  void whenNothingFitsTheLeastViolatingKIsChosen() {
    // Time per token can never reach 1 ns; the fastest k is the least violating.
    LatencyModel lat = new LatencyModel(1, 30, 0.5);
    int fastest =
        SpeculationPolicy.chooseK(
            0.9, 8, lat, Prices.FREE, Objective.MIN_LATENCY_WITHIN_COST, Double.POSITIVE_INFINITY);
    assertEquals(
        fastest,
        SpeculationPolicy.chooseK(0.9, 8, lat, Prices.FREE, Objective.MIN_COST_WITHIN_LATENCY, 1));
  }

  @Test
  void rejectsNonsense() {
    LatencyModel lat = new LatencyModel(1, 1, 1);
    var alpha =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SpeculationPolicy.chooseK(
                    1.5, 4, lat, Prices.FREE, Objective.MIN_LATENCY_WITHIN_COST, 1));
    assertTrue(alpha.getMessage().startsWith("alpha must be in [0, 1]"));
    var kMax =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SpeculationPolicy.chooseK(
                    0.5, 17, lat, Prices.FREE, Objective.MIN_LATENCY_WITHIN_COST, 1));
    assertTrue(kMax.getMessage().startsWith("kMax must be in 0..16"));
    var latency = assertThrows(IllegalArgumentException.class, () -> new LatencyModel(-1, 0, 0));
    assertTrue(latency.getMessage().startsWith("draftPerToken"));
    var price =
        assertThrows(
            IllegalArgumentException.class, () -> new Prices(VerifierPricing.FREE, Double.NaN));
    assertTrue(price.getMessage().startsWith("perDraftToken"));
  }
}
