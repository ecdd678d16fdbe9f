package dev.tandem.bench.cost;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Quality against cost for routing a workload between a small and a large tier, RouteLLM style:
 * prompts ranked by a score go to the large tier from the top down, one more per point, so every
 * threshold of the score is one point. Quality = mean log-likelihood of the true continuations on
 * the tier each prompt went to; cost = Σ tier price × tokens.
 */
final class RoutingCurve {

  record Point(double costFraction, double gapRecovered) {}

  private final List<ScoredCase> cases;
  private final double priceSmall;
  private final double priceLarge;
  private final double qualitySmall;
  private final double qualityLarge;
  private final double costLarge;

  RoutingCurve(List<ScoredCase> cases, double priceSmall, double priceLarge) {
    this.cases = cases;
    this.priceSmall = priceSmall;
    this.priceLarge = priceLarge;
    this.qualitySmall =
        cases.stream().mapToDouble(ScoredCase::qualitySmall).average().orElseThrow();
    this.qualityLarge =
        cases.stream().mapToDouble(ScoredCase::qualityLarge).average().orElseThrow();
    this.costLarge = cases.stream().mapToDouble(s -> tokens(s) * priceLarge).sum();
  }

  double qualitySmall() {
    return qualitySmall;
  }

  double qualityLarge() {
    return qualityLarge;
  }

  double smallCostFraction() {
    return priceSmall / priceLarge;
  }

  private static int tokens(ScoredCase s) {
    return s.promptTokens() + s.continuationTokens();
  }

  /** The curve of routing by descending {@code score[i]} (index into the cases). */
  List<Point> byScore(double[] score) {
    Integer[] order = IntStream.range(0, cases.size()).boxed().toArray(Integer[]::new);
    java.util.Arrays.sort(order, Comparator.comparingDouble(i -> -score[i]));
    List<Point> points = new ArrayList<>();
    double cost = cases.stream().mapToDouble(s -> tokens(s) * priceSmall).sum();
    double quality = qualitySmall * cases.size();
    points.add(point(cost, quality));
    for (int i : order) {
      ScoredCase s = cases.get(i);
      cost += tokens(s) * (priceLarge - priceSmall);
      quality += s.gain();
      points.add(point(cost, quality));
    }
    return points;
  }

  /** The oracle: knows each prompt's gain, routes by gain per extra cost. */
  List<Point> oracle() {
    double[] score = new double[cases.size()];
    for (int i = 0; i < score.length; i++) {
      score[i] = cases.get(i).gain() / tokens(cases.get(i));
    }
    return byScore(score);
  }

  /** Random routing at every mix, in expectation: a straight line from small to large. */
  List<Point> random() {
    List<Point> points = new ArrayList<>();
    for (int i = 0; i <= 20; i++) {
      double f = i / 20.0;
      points.add(new Point(smallCostFraction() + f * (1 - smallCostFraction()), f));
    }
    return points;
  }

  private Point point(double cost, double qualitySum) {
    double q = qualitySum / cases.size();
    return new Point(cost / costLarge, (q - qualitySmall) / (qualityLarge - qualitySmall));
  }

  /** The best gap recovered by a point whose cost is at most {@code costFraction}. */
  static double recoveredAt(List<Point> curve, double costFraction) {
    double best = Double.NEGATIVE_INFINITY;
    for (Point p : curve) {
      if (p.costFraction() <= costFraction + 1e-12) {
        best = Math.max(best, p.gapRecovered());
      }
    }
    return best;
  }
}
