package dev.tandem.bench.cost;

import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.router.routing.LinearComplexityEstimator;
import dev.tandem.router.routing.PromptScorer;
import dev.tandem.router.routing.PromptSignals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The routing evaluation of issue 12, as RouteLLM measures it: over the mixed workload, quality
 * (mean log-likelihood of each prompt's true continuation on the tier it is served by) against
 * cost, for always-small, always-large, random routing, routing by each free signal and by the
 * estimator, and the oracle. Signals' weights are fitted by 2-fold cross-validation (fit on the
 * even-numbered prompts, score the odd ones, and the other way round), so no prompt is scored by
 * weights fitted on itself.
 *
 * <p>Usage: {@code RoutingEvaluation HOME [OUT_DIR]}; prints the table and the weights fitted on
 * all prompts, writes {@code routing-curves.csv} and {@code routing-quality-vs-cost.png}.
 */
public final class RoutingEvaluation {

  /** Tier prices per token (USD per 1k / 1000): the fixture draft model is ~1/6 the verifier. */
  static final double PRICE_SMALL = 0.0003 / 1000;

  static final double PRICE_LARGE = 0.002 / 1000;

  static final int CONTINUATION_TOKENS = 48;
  static final double RIDGE = 1.0;

  private RoutingEvaluation() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
    Path out = args.length > 1 ? Path.of(args[1]) : home.resolve("load-tests/reports");
    List<ScoredCase> cases = measure(home);
    report(cases, out);
  }

  /**
   * The curves {@code ./tandem bench report} charts, by router (random, oracle, the estimator
   * cross-validated): {@code [costFractions[], gapRecovered[]]} each, cost as a fraction of
   * always-large and quality as the share of the small→large quality gap recovered.
   */
  public static java.util.Map<String, double[][]> curvesForReport(Path home) throws IOException {
    List<ScoredCase> cases = measure(home);
    RoutingCurve curves = new RoutingCurve(cases, PRICE_SMALL, PRICE_LARGE);
    java.util.Map<String, double[][]> out = new java.util.LinkedHashMap<>();
    out.put("random", xy(curves.random()));
    out.put(
        "estimator (2-fold)", xy(curves.byScore(crossValidated(cases, new int[] {0, 1, 2, 3, 4}))));
    out.put("oracle", xy(curves.oracle()));
    return out;
  }

  private static double[][] xy(List<RoutingCurve.Point> points) {
    double[][] xy = new double[2][points.size()];
    for (int i = 0; i < points.size(); i++) {
      xy[0][i] = points.get(i).costFraction();
      xy[1][i] = points.get(i).gapRecovered();
    }
    return xy;
  }

  static List<ScoredCase> measure(Path home) throws IOException {
    List<RoutingCase> cases = RoutingCase.load(home.resolve("fixtures/workloads"));
    try (ModelRuntime runtime = new ModelRuntime(1);
        Model small =
            runtime.load(home.resolve("fixtures/models/tandem-draft"), ModelOptions.DEFAULT);
        Model large =
            runtime.load(home.resolve("fixtures/models/tandem-verifier"), ModelOptions.DEFAULT)) {
      List<ScoredCase> scored = new ArrayList<>();
      for (RoutingCase c : cases) {
        int[] prompt = withBos(small, small.tokenizer().encode(c.text()));
        int[] cont = small.tokenizer().encode(c.continuation());
        cont = Arrays.copyOf(cont, Math.min(cont.length, CONTINUATION_TOKENS));
        int[] all = new int[prompt.length + cont.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(cont, 0, all, prompt.length, cont.length);
        PromptScorer.Scores s = PromptScorer.score(small, all).join();
        PromptScorer.Scores l = PromptScorer.score(large, all).join();
        int p = prompt.length - 1; // row p - 1 predicts the first continuation token
        scored.add(
            new ScoredCase(
                c,
                prompt.length,
                cont.length,
                s.meanNll(0, p),
                s.meanEntropy(0, p),
                -s.meanNll(p, p + cont.length),
                -l.meanNll(p, p + cont.length)));
      }
      return scored;
    }
  }

  private static int[] withBos(Model model, int[] tokens) {
    int bos = model.tokenizer().bosTokenId();
    if (bos < 0) {
      return tokens;
    }
    int[] out = new int[tokens.length + 1];
    out[0] = bos;
    System.arraycopy(tokens, 0, out, 1, tokens.length);
    return out;
  }

  static void report(List<ScoredCase> cases, Path out) throws IOException {
    RoutingCurve curves = new RoutingCurve(cases, PRICE_SMALL, PRICE_LARGE);
    System.out.printf(
        Locale.ROOT,
        "%d prompts; quality (mean log-likelihood per continuation token): small %.4f, large %.4f"
            + " (gap %.4f); small costs %.3f of large%n",
        cases.size(),
        curves.qualitySmall(),
        curves.qualityLarge(),
        curves.qualityLarge() - curves.qualitySmall(),
        curves.smallCostFraction());
    printGainsByKind(cases);
    String[] names = {"draft_nll", "draft_entropy", "code", "question", "log_length"};
    List<String> labels = new ArrayList<>();
    List<List<RoutingCurve.Point>> series = new ArrayList<>();
    System.out.printf("%-28s %10s %14s %14s%n", "router", "spearman", "gap@50%cost", "gap@35%cost");
    row("random", 0, curves.random(), labels, series);
    row("oracle", 1, curves.oracle(), labels, series);
    for (int f = 0; f < names.length; f++) {
      int[] only = {f};
      double[] score = crossValidated(cases, only);
      row("signal " + names[f], spearman(score, cases), curves.byScore(score), labels, series);
    }
    int[] cheap = {2, 3, 4};
    double[] cheapScore = crossValidated(cases, cheap);
    row("cheap features", spearman(cheapScore, cases), curves.byScore(cheapScore), labels, series);
    int[] lossAndCode = {0, 2};
    double[] lossAndCodeScore = crossValidated(cases, lossAndCode);
    row(
        "draft_nll + code",
        spearman(lossAndCodeScore, cases),
        curves.byScore(lossAndCodeScore),
        labels,
        series);
    int[] all = {0, 1, 2, 3, 4};
    double[] allScore = crossValidated(cases, all);
    row(
        "estimator (all, 2-fold)",
        spearman(allScore, cases),
        curves.byScore(allScore),
        labels,
        series);
    System.out.printf(
        Locale.ROOT,
        "weights fitted on all prompts, gain ~ bias + [nll, entropy, code, question, log_length]:"
            + " %s; gain ~ bias + [nll, code]: %s%n",
        Arrays.toString(LeastSquares.fit(columns(cases, all), gains(cases), RIDGE)),
        Arrays.toString(LeastSquares.fit(columns(cases, lossAndCode), gains(cases), RIDGE)));
    printShippedThreshold(cases, curves);
    Files.createDirectories(out);
    RoutingPlot.write(out, labels, series);
    System.out.println("wrote " + out.resolve(RoutingPlot.CHART));
  }

  /**
   * The shipped estimator ({@link LinearComplexityEstimator#DEFAULT}, weights fitted on all
   * prompts) over the workload, and the small tier's threshold that keeps cost within 50 % of
   * always-large: the score of the last prompt the small tier still serves.
   */
  private static void printShippedThreshold(List<ScoredCase> cases, RoutingCurve curves) {
    double[] score = new double[cases.size()];
    for (int i = 0; i < score.length; i++) {
      ScoredCase c = cases.get(i);
      score[i] =
          LinearComplexityEstimator.DEFAULT
              .estimate(
                  new PromptSignals(c.c().text(), c.promptTokens(), c.draftNll(), c.draftEntropy()))
              .score();
    }
    List<RoutingCurve.Point> curve = curves.byScore(score);
    double[] sorted = score.clone();
    Arrays.sort(sorted);
    int routedLarge = 0;
    for (int m = 0; m < curve.size(); m++) {
      if (curve.get(m).costFraction() <= 0.5) {
        routedLarge = m;
      }
    }
    double threshold = sorted[sorted.length - 1 - routedLarge];
    System.out.printf(
        Locale.ROOT,
        "shipped estimator (fitted on all %d prompts, in-sample): gap recovered at 50%% cost %.1f%%;"
            + " small tier max_complexity for <= 50%% cost: %.4f (%d of %d prompts go large)%n",
        cases.size(),
        100 * RoutingCurve.recoveredAt(curve, 0.5),
        threshold,
        routedLarge,
        cases.size());
  }

  private static void printGainsByKind(List<ScoredCase> cases) {
    for (String kind : RoutingCase.KINDS) {
      List<ScoredCase> k = cases.stream().filter(c -> c.c().kind().equals(kind)).toList();
      System.out.printf(
          Locale.ROOT,
          "  %-10s n=%2d small %.3f large %.3f gain %.3f draft_nll %.3f%n",
          kind,
          k.size(),
          mean(k, ScoredCase::qualitySmall),
          mean(k, ScoredCase::qualityLarge),
          mean(k, ScoredCase::gain),
          mean(k, ScoredCase::draftNll));
    }
  }

  private static double mean(List<ScoredCase> cases, ToDoubleFunction<ScoredCase> f) {
    return cases.stream().mapToDouble(f).average().orElse(Double.NaN);
  }

  private static void row(
      String name,
      double spearman,
      List<RoutingCurve.Point> curve,
      List<String> labels,
      List<List<RoutingCurve.Point>> series) {
    System.out.printf(
        Locale.ROOT,
        "%-28s %10.3f %13.1f%% %13.1f%%%n",
        name,
        spearman,
        100 * RoutingCurve.recoveredAt(curve, 0.5),
        100 * RoutingCurve.recoveredAt(curve, 0.35));
    labels.add(name);
    series.add(curve);
  }

  /** Predicted gain of each prompt from weights fitted on the other fold (even/odd index). */
  static double[] crossValidated(List<ScoredCase> cases, int[] features) {
    double[] score = new double[cases.size()];
    for (int fold = 0; fold < 2; fold++) {
      List<ScoredCase> train = new ArrayList<>();
      for (int i = 0; i < cases.size(); i++) {
        if (i % 2 != fold) {
          train.add(cases.get(i));
        }
      }
      double[] w = LeastSquares.fit(columns(train, features), gains(train), RIDGE);
      for (int i = fold; i < cases.size(); i += 2) {
        score[i] = LeastSquares.predict(w, select(cases.get(i).features(), features));
      }
    }
    return score;
  }

  private static double[][] columns(List<ScoredCase> cases, int[] features) {
    return cases.stream().map(c -> select(c.features(), features)).toArray(double[][]::new);
  }

  private static double[] select(double[] all, int[] features) {
    double[] x = new double[features.length];
    for (int j = 0; j < features.length; j++) {
      x[j] = all[features[j]];
    }
    return x;
  }

  private static double[] gains(List<ScoredCase> cases) {
    return cases.stream().mapToDouble(ScoredCase::gain).toArray();
  }

  /** Spearman rank correlation of a score with the true gain. */
  static double spearman(double[] score, List<ScoredCase> cases) {
    double[] a = ranks(score);
    double[] b = ranks(gains(cases));
    double n = a.length;
    double ma = (n - 1) / 2;
    double num = 0;
    double da = 0;
    double db = 0;
    for (int i = 0; i < a.length; i++) {
      num += (a[i] - ma) * (b[i] - ma);
      da += (a[i] - ma) * (a[i] - ma);
      db += (b[i] - ma) * (b[i] - ma);
    }
    return num / Math.sqrt(da * db);
  }

  private static double[] ranks(double[] v) {
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Double.compare(v[x], v[y]));
    double[] r = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      r[order[i]] = i;
    }
    return r;
  }
}
