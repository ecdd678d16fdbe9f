package dev.tandem.bench.cost;

import dev.tandem.router.routing.LinearComplexityEstimator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The three-tier part of the routing evaluation ({@code ./tandem bench routing --ladder}): tiny,
 * small and large behind one estimator, thresholds chosen on the routing set's training split for
 * the best quality within a cost fraction, against the two-tier router (small, large) chosen the
 * same way; both then run once on the test split, with a paired bootstrap interval of the quality
 * difference. Stateless.
 */
final class LadderReport {

  static final double[] COSTS = {0.5, 0.35, 0.25, 0.1};

  private LadderReport() {}

  static void print(List<Measured> routing, Map<String, LinearComplexityEstimator> estimators) {
    List<Measured> train = routing.stream().filter(m -> !m.c().isTest()).toList();
    List<Measured> test = routing.stream().filter(m -> m.c().isTest()).toList();
    TierLadder ladder = new TierLadder(TierPair.TIERS);
    TierPair.Tier[] t = TierPair.TIERS.toArray(TierPair.Tier[]::new);
    double gap = mean(test, t[2].name()) - mean(test, t[1].name());
    System.out.printf(
        Locale.ROOT,
        "%nthree tiers %s / %s / %s (price %.2f / %.2f / 1) on the test split: always-%s %.4f,"
            + " always-%s %.4f, always-%s %.4f nats/token (%s->%s gap %.4f)%n",
        t[0].name(),
        t[1].name(),
        t[2].name(),
        t[0].price() / t[2].price(),
        t[1].price() / t[2].price(),
        t[0].name(),
        mean(test, t[0].name()),
        t[1].name(),
        mean(test, t[1].name()),
        t[2].name(),
        mean(test, t[2].name()),
        t[1].name(),
        t[2].name(),
        gap);
    for (Map.Entry<String, LinearComplexityEstimator> e : estimators.entrySet()) {
      double[] trainScore = score(e.getValue(), train);
      double[] testScore = score(e.getValue(), test);
      for (double cost : COSTS) {
        TierLadder.Outcome three = ladder.fit(train, trainScore, cost, true);
        TierLadder.Outcome two = ladder.fit(train, trainScore, cost, false);
        if (two == null) {
          TierLadder.Outcome threeTest =
              ladder.apply(test, testScore, three.thresholds()[0], three.thresholds()[1]);
          System.out.printf(
              Locale.ROOT,
              "%s, thresholds chosen on train for <= %.0f%% cost (%s and %s alone cannot meet"
                  + " it):%n  three tiers: train %s%n               test  %s%n",
              e.getKey(),
              100 * cost,
              t[1].name(),
              t[2].name(),
              three,
              threeTest);
          continue;
        }
        TierLadder.Outcome threeTest =
            ladder.apply(test, testScore, three.thresholds()[0], three.thresholds()[1]);
        TierLadder.Outcome twoTest =
            ladder.apply(test, testScore, two.thresholds()[0], two.thresholds()[1]);
        RoutingProtocol.Interval ci = ladder.difference(test, testScore, threeTest, twoTest, 7);
        double delta = threeTest.quality() - twoTest.quality();
        System.out.printf(
            Locale.ROOT,
            "%s, thresholds chosen on train for <= %.0f%% cost:%n"
                + "  three tiers: train %s%n               test  %s%n"
                + "  two tiers:   train %s%n               test  %s%n"
                + "  test quality, three minus two: %+.4f nats/token [95%% CI %+.4f, %+.4f]"
                + " (%+.1f%% of the %s->%s gap)%n",
            e.getKey(),
            100 * cost,
            three,
            threeTest,
            two,
            twoTest,
            delta,
            ci.low(),
            ci.high(),
            100 * delta / gap,
            t[1].name(),
            t[2].name());
      }
    }
  }

  private static double[] score(LinearComplexityEstimator e, List<Measured> cases) {
    return cases.stream().mapToDouble(m -> e.estimate(m.signals()).score()).toArray();
  }

  private static double mean(List<Measured> cases, String tier) {
    return cases.stream().mapToDouble(m -> m.quality(tier)).average().orElse(Double.NaN);
  }
}
