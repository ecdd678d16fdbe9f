package dev.tandem.bench.cost;

import dev.tandem.bench.cost.RoutingProtocol.Candidate;
import dev.tandem.bench.cost.RoutingProtocol.Interval;
import dev.tandem.bench.cost.RoutingProtocol.Spread;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Prints the routing evaluation's table, one router per row (training-split figure, test-split
 * figure with its bootstrap interval), and keeps the test curves of the routers to plot. Not
 * thread-safe: one evaluation's main thread.
 */
final class RoutingTable {

  private final TierPair pair;
  private final List<ScoredCase> train;
  private final List<ScoredCase> test;
  private final RoutingCurve curves;
  private final List<String> labels = new ArrayList<>();
  private final List<List<RoutingCurve.Point>> series = new ArrayList<>();

  RoutingTable(TierPair pair, List<ScoredCase> train, List<ScoredCase> test) {
    this.pair = pair;
    this.train = train;
    this.test = test;
    this.curves = pair.curve(test);
    System.out.printf(
        "%-58s %8s %18s %24s %9s%n",
        "router", "rho test", "train CV (or fit)", "test <=50% [95% CI]", "test<=35%");
  }

  /** Random routing, in expectation. */
  void random() {
    List<RoutingCurve.Point> curve = curves.random();
    row("random (expected)", 0, "-", curve, null, true);
  }

  /** The oracle: routes the test prompts by their measured gain per token. */
  void oracle() {
    row("oracle (knows each test prompt's gain)", 1, "-", curves.oracle(), null, true);
  }

  /** A router whose scores were fixed before this evaluation (nothing fitted on the test split). */
  void fixed(String name, double[] trainScore, double[] testScore) {
    String onTrain =
        String.format(
            Locale.ROOT,
            "%.1f%%",
            100 * RoutingProtocol.share(pair, train, trainScore, RoutingProtocol.COST));
    row(
        name,
        RoutingProtocol.spearman(testScore, test),
        onTrain,
        curves.byScore(testScore),
        RoutingProtocol.bootstrap(pair, test, testScore, 7),
        true);
  }

  /** A candidate: cross-validated on train, then fitted on all of train and run on test. */
  Spread fitted(Candidate c, boolean plot) {
    Spread cv = RoutingProtocol.crossValidate(pair, train, c.signals(), c.target());
    double[] w = RoutingProtocol.fit(train, c.signals(), c.target());
    double[] testScore = RoutingProtocol.predict(w, test, c.signals());
    row(
        c.name(),
        RoutingProtocol.spearman(testScore, test),
        String.format(Locale.ROOT, "%.1f%% +- %.1f", 100 * cv.mean(), 100 * cv.sd()),
        curves.byScore(testScore),
        RoutingProtocol.bootstrap(pair, test, testScore, 7),
        plot);
    return cv;
  }

  private void row(
      String name,
      double rho,
      String onTrain,
      List<RoutingCurve.Point> curve,
      Interval ci,
      boolean plot) {
    System.out.printf(
        Locale.ROOT,
        "%-58s %8.3f %18s %9.1f%% %14s %8.1f%%%n",
        name,
        rho,
        onTrain,
        100 * RoutingCurve.recoveredAt(curve, RoutingProtocol.COST),
        ci == null
            ? ""
            : String.format(Locale.ROOT, "[%.1f, %.1f]", 100 * ci.low(), 100 * ci.high()),
        100 * RoutingCurve.recoveredAt(curve, 0.35));
    if (plot) {
      labels.add(name);
      series.add(curve);
    }
  }

  List<String> labels() {
    return labels;
  }

  List<List<RoutingCurve.Point>> series() {
    return series;
  }

  /**
   * Prints a set's size, the two tiers' quality and gap, the gain by kind, and how much of the
   * per-prompt gain is noise.
   */
  static void describe(TierPair pair, String name, List<ScoredCase> cases) {
    double small = mean(cases, ScoredCase::qualitySmall);
    double large = mean(cases, ScoredCase::qualityLarge);
    double[] gains = RoutingProtocol.gains(cases);
    System.out.printf(
        Locale.ROOT,
        "%s: %d prompts; quality (mean log-likelihood per continuation token) %s %.4f,"
            + " %s %.4f, gap %.4f nats/token; per-prompt gain sd %.3f, split-half reliability"
            + " %.2f%n",
        name,
        cases.size(),
        pair.small().name(),
        small,
        pair.large().name(),
        large,
        large - small,
        RoutingProtocol.sd(gains),
        RoutingProtocol.reliability(cases));
    for (String kind : RoutingCase.KINDS) {
      List<ScoredCase> k = cases.stream().filter(c -> c.c().kind().equals(kind)).toList();
      System.out.printf(
          Locale.ROOT,
          "  %-10s n=%3d %s %.3f %s %.3f gain %.3f draft_nll %.3f%n",
          kind,
          k.size(),
          pair.small().name(),
          mean(k, ScoredCase::qualitySmall),
          pair.large().name(),
          mean(k, ScoredCase::qualityLarge),
          mean(k, ScoredCase::gain),
          mean(k, ScoredCase::draftNll));
    }
  }

  private static double mean(List<ScoredCase> cases, ToDoubleFunction<ScoredCase> f) {
    return cases.stream().mapToDouble(f).average().orElse(Double.NaN);
  }
}
