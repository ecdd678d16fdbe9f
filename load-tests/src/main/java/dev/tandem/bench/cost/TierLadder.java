package dev.tandem.bench.cost;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * {@code model: auto} over three tiers as the router runs it: one estimator score per prompt and
 * two thresholds, the cheapest tier's and the middle tier's max_complexity (a prompt goes to the
 * cheapest tier whose max_complexity is at least its score, the capable tier otherwise). The
 * thresholds are chosen on one set of prompts (the best quality within a cost fraction) and then
 * applied to another. Stateless.
 */
final class TierLadder {

  /**
   * What two thresholds did on a set of prompts.
   *
   * @param thresholds max_complexity of the cheap and the middle tier
   * @param served prompts served by each tier, cheapest first
   * @param costFraction cost as a fraction of serving everything on the capable tier
   * @param quality mean log-likelihood per continuation token (mean over prompts)
   */
  record Outcome(double[] thresholds, int[] served, double costFraction, double quality) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "max_complexity %.4f / %.4f: served %s, cost %.1f%%, quality %.4f",
          thresholds[0],
          thresholds[1],
          Arrays.toString(served),
          100 * costFraction,
          quality);
    }
  }

  private final List<TierPair.Tier> tiers;

  /**
   * @param tiers three tiers, cheapest first
   */
  TierLadder(List<TierPair.Tier> tiers) {
    if (tiers.size() != 3) {
      throw new IllegalArgumentException("a ladder has three tiers, got " + tiers);
    }
    this.tiers = List.copyOf(tiers);
  }

  Outcome apply(List<Measured> cases, double[] score, double cheapMax, double middleMax) {
    double cost = 0;
    double costTop = 0;
    double quality = 0;
    int[] served = new int[3];
    for (int i = 0; i < cases.size(); i++) {
      Measured m = cases.get(i);
      int t = score[i] <= cheapMax ? 0 : score[i] <= middleMax ? 1 : 2;
      served[t]++;
      int tokens = m.promptTokens() + m.continuationTokens();
      cost += tokens * tiers.get(t).price();
      costTop += tokens * tiers.get(2).price();
      quality += m.quality(tiers.get(t).name());
    }
    return new Outcome(
        new double[] {cheapMax, middleMax}, served, cost / costTop, quality / cases.size());
  }

  /**
   * The thresholds with the best quality on {@code cases} within {@code costFraction} of
   * always-capable cost, every split of the score order searched. With {@code useCheap} false the
   * cheapest tier gets nothing (the two-tier router of the two others).
   *
   * @return null when no split keeps within the cost fraction
   */
  Outcome fit(List<Measured> cases, double[] score, double costFraction, boolean useCheap) {
    int n = cases.size();
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> score[i]));
    double[][] q = new double[3][n + 1]; // prefix sums in score order, per tier
    double[][] c = new double[3][n + 1];
    double top = 0;
    for (int k = 0; k < n; k++) {
      Measured m = cases.get(order[k]);
      int tokens = m.promptTokens() + m.continuationTokens();
      top += tokens * tiers.get(2).price();
      for (int t = 0; t < 3; t++) {
        q[t][k + 1] = q[t][k] + m.quality(tiers.get(t).name());
        c[t][k + 1] = c[t][k] + tokens * tiers.get(t).price();
      }
    }
    int bestI = 0;
    int bestJ = n;
    double bestQ = Double.NEGATIVE_INFINITY;
    for (int j = 0; j <= n; j++) { // prompts [j, n) to the capable tier
      for (int i = 0; i <= (useCheap ? j : 0); i++) { // [0, i) cheap, [i, j) middle
        double cost = c[0][i] + c[1][j] - c[1][i] + c[2][n] - c[2][j];
        if (cost > costFraction * top + 1e-15) {
          continue;
        }
        double quality = q[0][i] + q[1][j] - q[1][i] + q[2][n] - q[2][j];
        if (quality > bestQ) {
          bestQ = quality;
          bestI = i;
          bestJ = j;
        }
      }
    }
    if (bestQ == Double.NEGATIVE_INFINITY) {
      return null;
    }
    double[] sorted = Arrays.stream(order).mapToDouble(i -> score[i]).toArray();
    return apply(cases, score, cut(sorted, bestI), cut(sorted, bestJ));
  }

  /** A threshold between sorted[k - 1] and sorted[k], rounded to 4 decimals as config carries. */
  private static double cut(double[] sorted, int k) {
    if (k == 0) {
      return 0;
    }
    if (k == sorted.length) {
      return 1;
    }
    return Math.round((sorted[k - 1] + sorted[k]) / 2 * 1e4) / 1e4;
  }

  /**
   * 95 % bootstrap interval of the quality difference between two fixed routings of the same
   * prompts (resampling prompts, paired), in nats per token.
   */
  RoutingProtocol.Interval difference(
      List<Measured> cases, double[] score, Outcome a, Outcome b, long seed) {
    int n = cases.size();
    double[] delta = new double[n];
    for (int i = 0; i < n; i++) {
      delta[i] = qualityAt(cases.get(i), score[i], a) - qualityAt(cases.get(i), score[i], b);
    }
    Random random = new Random(seed);
    double[] means = new double[RoutingProtocol.RESAMPLES];
    for (int r = 0; r < means.length; r++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += delta[random.nextInt(n)];
      }
      means[r] = sum / n;
    }
    Arrays.sort(means);
    return new RoutingProtocol.Interval(
        means[(int) (0.025 * means.length)], means[(int) Math.ceil(0.975 * means.length) - 1]);
  }

  private double qualityAt(Measured m, double score, Outcome o) {
    int t = score <= o.thresholds()[0] ? 0 : score <= o.thresholds()[1] ? 1 : 2;
    return m.quality(tiers.get(t).name());
  }
}
