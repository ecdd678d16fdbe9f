package dev.tandem.bench.cost;

import dev.tandem.bench.cost.RoutingProtocol.Candidate;
import dev.tandem.bench.cost.RoutingProtocol.Spread;
import dev.tandem.bench.cost.RoutingProtocol.Target;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.router.routing.LinearComplexityEstimator;
import dev.tandem.router.routing.PromptScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The routing evaluation of issue 12, as RouteLLM measures it: quality (mean log-likelihood of each
 * prompt's true continuation on the tier it is served by) against cost, for random routing, routing
 * by each free signal and by fitted estimators, and the oracle. It runs on the routing set
 * (fixtures/routing: 720 prompts from text the fixture models never saw), fits on its training
 * split by the {@link RoutingProtocol} and reports the test split with bootstrap intervals; the
 * fixture workloads (96 prompts) are a second out-of-sample check.
 *
 * <p>Usage: {@code RoutingEvaluation HOME [OUT_DIR]}; prints the tables, writes {@code
 * routing-curves.csv} and {@code routing-quality-vs-cost.png} (test split).
 */
public final class RoutingEvaluation {

  /** Tier prices per token (USD per 1k / 1000): the fixture draft model is ~1/6 the verifier. */
  static final double PRICE_SMALL = 0.0003 / 1000;

  static final double PRICE_LARGE = 0.002 / 1000;

  static final int CONTINUATION_TOKENS = 48;

  /** The weights issue 12 shipped first: least squares on the gain over the 96 workload prompts. */
  static final LinearComplexityEstimator WORKLOAD_FIT =
      new LinearComplexityEstimator(4.645, -1.424, 1.093, 0, -12.544, 0.047, 0, -0.320);

  private RoutingEvaluation() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
    Path out = args.length > 1 ? Path.of(args[1]) : home.resolve("load-tests/reports");
    report(measure(home.resolve("fixtures/workloads"), home), measureRoutingSet(home), out);
  }

  /**
   * The curves {@code ./tandem bench report} charts on the routing set's test split: {@code
   * [costFractions[], gapRecovered[]]} by router (random, the shipped estimator, the oracle).
   */
  public static Map<String, double[][]> curvesForReport(Path home) throws IOException {
    List<ScoredCase> test = measureRoutingSet(home).stream().filter(c -> c.c().isTest()).toList();
    RoutingCurve curves = new RoutingCurve(test, PRICE_SMALL, PRICE_LARGE);
    Map<String, double[][]> out = new LinkedHashMap<>();
    out.put("random", xy(curves.random()));
    out.put(
        "estimator (shipped)", xy(curves.byScore(score(LinearComplexityEstimator.DEFAULT, test))));
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

  static List<ScoredCase> measureRoutingSet(Path home) throws IOException {
    return measure(home.resolve("fixtures/routing"), home);
  }

  /** Every prompt with a continuation under {@code dir}, scored by both fixture models. */
  static List<ScoredCase> measure(Path dir, Path home) throws IOException {
    List<RoutingCase> cases = RoutingCase.load(dir);
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
        int p = prompt.length - 1; // row p predicts the first continuation token
        double[] halves = new double[2]; // gain summed over even / odd continuation tokens
        for (int i = 0; i < cont.length; i++) {
          halves[i % 2] += l.logProb()[p + i] - s.logProb()[p + i];
        }
        int even = (cont.length + 1) / 2;
        int odd = cont.length / 2;
        scored.add(
            new ScoredCase(
                c,
                prompt.length,
                cont.length,
                s.meanNll(0, p),
                s.meanEntropy(0, p),
                s.entropy()[p],
                -s.meanNll(p, p + cont.length),
                -l.meanNll(p, p + cont.length),
                halves[0] / even,
                odd > 0 ? halves[1] / odd : halves[0] / even));
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

  /** The estimator's score of every case. */
  static double[] score(LinearComplexityEstimator estimator, List<ScoredCase> cases) {
    return cases.stream().mapToDouble(c -> estimator.estimate(c.signals()).score()).toArray();
  }

  /** Candidates compared on the training split: signal sets × {gain, gain rank}. */
  static List<Candidate> candidates() {
    Map<String, int[]> sets = new LinkedHashMap<>();
    sets.put("all seven signals", new int[] {0, 1, 2, 3, 4, 5, 6});
    sets.put("draft nll+entropy, code, question, length", new int[] {0, 1, 3, 4, 6});
    sets.put("code, length", new int[] {3, 6});
    sets.put("code, length, chat", new int[] {3, 5, 6});
    sets.put("code, length, next-token entropy", new int[] {2, 3, 6});
    sets.put("code, length, chat, next-token entropy", new int[] {2, 3, 5, 6});
    List<Candidate> out = new ArrayList<>();
    for (Map.Entry<String, int[]> e : sets.entrySet()) {
      out.add(new Candidate(e.getKey() + " (LS on gain)", e.getValue(), Target.GAIN));
      out.add(new Candidate(e.getKey() + " (LS on gain rank)", e.getValue(), Target.GAIN_RANK));
    }
    return out;
  }

  static void report(List<ScoredCase> workload, List<ScoredCase> routing, Path out)
      throws IOException {
    List<ScoredCase> train = routing.stream().filter(c -> !c.c().isTest()).toList();
    List<ScoredCase> test = routing.stream().filter(c -> c.c().isTest()).toList();
    RoutingTable.describe("routing set (fixtures/routing)", routing);
    RoutingTable.describe("workloads (fixtures/workloads)", workload);
    System.out.printf(
        Locale.ROOT,
        "split: train %d prompts, test %d; figures = share of the gap recovered at <= %.0f%% of"
            + " always-large cost; CV = %d-fold x %d seeds on train (mean +- sd of the pooled"
            + " out-of-fold curve); CI = 95%% bootstrap over the test prompts (%d resamples)%n",
        train.size(),
        test.size(),
        100 * RoutingProtocol.COST,
        RoutingProtocol.FOLDS,
        RoutingProtocol.SEEDS,
        RoutingProtocol.RESAMPLES);
    RoutingTable table = new RoutingTable(train, test);
    table.random();
    table.oracle();
    for (int f = 0; f < ScoredCase.SIGNALS.size(); f++) {
      String signal = ScoredCase.SIGNALS.get(f);
      table.fitted(
          new Candidate("signal " + signal, new int[] {f}, Target.GAIN), signal.equals("code"));
    }
    Candidate best = null;
    double bestCv = Double.NEGATIVE_INFINITY;
    for (Candidate c : candidates()) {
      Spread cv = table.fitted(c, false);
      if (cv.mean() > bestCv) {
        bestCv = cv.mean();
        best = c;
      }
    }
    table.fixed(
        "issue-12 weights (fitted on the workloads)",
        score(WORKLOAD_FIT, train),
        score(WORKLOAD_FIT, test));
    table.fixed(
        "shipped DEFAULT (fitted on train)",
        score(LinearComplexityEstimator.DEFAULT, train),
        score(LinearComplexityEstimator.DEFAULT, test));
    reportChoice(best, train, routing);
    reportShipped(train, test, workload);
    Files.createDirectories(out);
    RoutingPlot.write(out, table.labels(), table.series());
    System.out.println("wrote " + out.resolve(RoutingPlot.CHART));
  }

  /** The candidate chosen on the training split: its weights, and its CV over the whole set. */
  private static void reportChoice(
      Candidate best, List<ScoredCase> train, List<ScoredCase> routing) {
    double[] w = RoutingProtocol.fit(train, best.signals(), best.target());
    double centre = best.target() == Target.GAIN_RANK ? 0.5 : 0;
    StringBuilder weights = new StringBuilder();
    weights.append(String.format(Locale.ROOT, "bias %.3f", 10 * (w[0] - centre)));
    for (int j = 0; j < best.signals().length; j++) {
      weights.append(
          String.format(
              Locale.ROOT, ", %s %.3f", ScoredCase.SIGNALS.get(best.signals()[j]), 10 * w[j + 1]));
    }
    Spread all = RoutingProtocol.crossValidate(routing, best.signals(), best.target());
    System.out.printf(
        Locale.ROOT,
        "chosen by train CV: %s; fitted on train, as estimator weights σ(10·(prediction − %.1f)):"
            + " %s%nits %d-fold CV over all %d routing prompts: %.1f%% +- %.1f (seeds);"
            + " per fold %.1f%% +- %.1f%n",
        best.name(),
        centre,
        weights,
        RoutingProtocol.FOLDS,
        routing.size(),
        100 * all.mean(),
        100 * all.sd(),
        100 * all.foldMean(),
        100 * all.foldSd());
  }

  /**
   * The shipped estimator at a fixed threshold: the small tier's max_complexity that keeps the
   * training split within 50 % of always-large cost, then what that threshold does on the test
   * split and on the workloads.
   */
  private static void reportShipped(
      List<ScoredCase> train, List<ScoredCase> test, List<ScoredCase> workload) {
    LinearComplexityEstimator e = LinearComplexityEstimator.DEFAULT;
    double threshold = Threshold.forCost(train, score(e, train), RoutingProtocol.COST);
    Threshold.Outcome onTrain = Threshold.apply(train, score(e, train), threshold);
    Threshold.Outcome onTest = Threshold.apply(test, score(e, test), threshold);
    Threshold.Outcome onWorkload = Threshold.apply(workload, score(e, workload), threshold);
    System.out.printf(
        Locale.ROOT,
        "shipped DEFAULT, small.max_complexity %.4f (chosen on train for <= 50%% cost):%n"
            + "  train %s%n  test  %s%n  workloads %s; best point <= 50%% cost on the workloads"
            + " %.1f%% (issue-12 weights, fitted there: %.1f%%)%n",
        threshold,
        onTrain,
        onTest,
        onWorkload,
        100 * RoutingProtocol.share(workload, score(e, workload), RoutingProtocol.COST),
        100 * RoutingProtocol.share(workload, score(WORKLOAD_FIT, workload), RoutingProtocol.COST));
  }
}
