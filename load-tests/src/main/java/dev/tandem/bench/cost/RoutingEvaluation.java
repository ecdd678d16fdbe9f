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
 * <p>Usage: {@code RoutingEvaluation HOME [--pair CHEAP,CAPABLE]... [--ladder] [OUT_DIR]}. A pair
 * is two of the fixture tiers ({@link TierPair#TIERS}: tiny, small, large; default small,large, the
 * embedded default's); several pairs are evaluated in turn from one scoring of the prompts; {@code
 * --ladder} adds the three-tier comparison ({@link LadderReport}). Prints the tables and writes
 * {@code routing-curves.csv} and {@code routing-quality-vs-cost.png} (test split; {@code
 * routing-tiny-large-...} for another pair).
 */
public final class RoutingEvaluation {

  static final int CONTINUATION_TOKENS = 48;

  /** The weights issue 12 shipped first: least squares on the gain over the 96 workload prompts. */
  static final LinearComplexityEstimator WORKLOAD_FIT =
      new LinearComplexityEstimator(4.645, -1.424, 1.093, 0, -12.544, 0.047, 0, -0.320);

  private RoutingEvaluation() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
    List<TierPair> pairs = new ArrayList<>();
    boolean ladder = false;
    Path out = home.resolve("load-tests/reports");
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--pair") && i + 1 < args.length) {
        pairs.add(TierPair.named(args[++i]));
      } else if (args[i].equals("--ladder")) {
        ladder = true;
      } else if (args[i].startsWith("--")) {
        throw new IllegalArgumentException(
            "usage: routing [--pair CHEAP,CAPABLE]... [--ladder] [OUT_DIR]; unknown option "
                + args[i]);
      } else {
        out = Path.of(args[i]);
      }
    }
    if (pairs.isEmpty()) {
      pairs.add(TierPair.SMALL_LARGE);
    }
    boolean all = ladder;
    List<TierPair.Tier> tiers =
        TierPair.TIERS.stream()
            .filter(t -> all || pairs.stream().anyMatch(p -> p.small() == t || p.large() == t))
            .toList();
    List<Measured> routing = measure(home.resolve("fixtures/routing"), home, tiers);
    List<Measured> workload = measure(home.resolve("fixtures/workloads"), home, tiers);
    Map<String, LinearComplexityEstimator> estimators = new LinkedHashMap<>();
    estimators.put("shipped DEFAULT", LinearComplexityEstimator.DEFAULT);
    for (TierPair pair : pairs) {
      System.out.println("\npair: " + pair + "; prompt signals from the drafter's model");
      LinearComplexityEstimator chosen =
          report(
              pair,
              workload.stream().map(m -> m.on(pair)).toList(),
              routing.stream().map(m -> m.on(pair)).toList(),
              out);
      estimators.put("chosen for " + pair.small().name() + "," + pair.large().name(), chosen);
    }
    if (ladder) {
      LadderReport.print(routing, estimators);
    }
  }

  /**
   * The curves {@code ./tandem bench report} charts on the routing set's test split: {@code
   * [costFractions[], gapRecovered[]]} by router (random, the shipped estimator, the oracle).
   */
  public static Map<String, double[][]> curvesForReport(Path home) throws IOException {
    List<ScoredCase> test =
        measureRoutingSet(home, TierPair.SMALL_LARGE).stream().filter(c -> c.c().isTest()).toList();
    RoutingCurve curves = TierPair.SMALL_LARGE.curve(test);
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

  static List<ScoredCase> measureRoutingSet(Path home, TierPair pair) throws IOException {
    return measure(home.resolve("fixtures/routing"), home, pair);
  }

  /**
   * Every prompt with a continuation under {@code dir}, scored by the pair's two models; the prompt
   * signals come from the drafter's model (the fixture draft), whichever tiers are compared.
   */
  static List<ScoredCase> measure(Path dir, Path home, TierPair pair) throws IOException {
    return measure(dir, home, List.of(pair.small(), pair.large())).stream()
        .map(m -> m.on(pair))
        .toList();
  }

  /**
   * Every prompt with a continuation under {@code dir}: the drafter's signals and each tier's
   * log-likelihood of the continuation (its first {@link #CONTINUATION_TOKENS} tokens).
   */
  static List<Measured> measure(Path dir, Path home, List<TierPair.Tier> tiers) throws IOException {
    List<RoutingCase> cases = RoutingCase.load(dir);
    Map<String, Model> models = new LinkedHashMap<>(); // by directory: each loaded once
    try (ModelRuntime runtime = new ModelRuntime(1)) {
      Model drafter = load(runtime, home, TierPair.SMALL.model(), models);
      Map<String, Model> byTier = new LinkedHashMap<>();
      for (TierPair.Tier t : tiers) {
        byTier.put(t.name(), load(runtime, home, t.model(), models));
      }
      List<Measured> measured = new ArrayList<>();
      for (RoutingCase c : cases) {
        int[] prompt = withBos(drafter, drafter.tokenizer().encode(c.text()));
        int[] cont = drafter.tokenizer().encode(c.continuation());
        cont = Arrays.copyOf(cont, Math.min(cont.length, CONTINUATION_TOKENS));
        int[] all = new int[prompt.length + cont.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(cont, 0, all, prompt.length, cont.length);
        int p = prompt.length - 1; // row p predicts the first continuation token
        Map<Model, PromptScorer.Scores> scores = new LinkedHashMap<>();
        PromptScorer.Scores d = PromptScorer.score(drafter, all).join();
        scores.put(drafter, d);
        Map<String, double[]> logProb = new LinkedHashMap<>();
        for (Map.Entry<String, Model> t : byTier.entrySet()) {
          PromptScorer.Scores s =
              scores.computeIfAbsent(t.getValue(), m -> PromptScorer.score(m, all).join());
          logProb.put(t.getKey(), Arrays.copyOfRange(s.logProb(), p, p + cont.length));
        }
        measured.add(
            new Measured(
                c, prompt.length, d.meanNll(0, p), d.meanEntropy(0, p), d.entropy()[p], logProb));
      }
      return measured;
    } finally {
      models.values().forEach(Model::close);
    }
  }

  /** The model under {@code dir}, loaded once (all fixture models share the tokenizer). */
  private static Model load(ModelRuntime runtime, Path home, String dir, Map<String, Model> models)
      throws IOException {
    Model m = models.get(dir);
    if (m == null) {
      m = runtime.load(home.resolve(dir), ModelOptions.DEFAULT);
      models.put(dir, m);
    }
    return m;
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

  /**
   * Prints the pair's evaluation and writes its curves.
   *
   * @return the estimator chosen by the train-split CV, fitted on the train split
   */
  static LinearComplexityEstimator report(
      TierPair pair, List<ScoredCase> workload, List<ScoredCase> routing, Path out)
      throws IOException {
    List<ScoredCase> train = routing.stream().filter(c -> !c.c().isTest()).toList();
    List<ScoredCase> test = routing.stream().filter(c -> c.c().isTest()).toList();
    RoutingTable.describe(pair, "routing set (fixtures/routing)", routing);
    RoutingTable.describe(pair, "workloads (fixtures/workloads)", workload);
    System.out.printf(
        Locale.ROOT,
        "split: train %d prompts, test %d; figures = share of the gap recovered at <= %.0f%% of"
            + " always-%s cost; CV = %d-fold x %d seeds on train (mean +- sd of the pooled"
            + " out-of-fold curve); CI = 95%% bootstrap over the test prompts (%d resamples)%n",
        train.size(),
        test.size(),
        100 * RoutingProtocol.COST,
        pair.large().name(),
        RoutingProtocol.FOLDS,
        RoutingProtocol.SEEDS,
        RoutingProtocol.RESAMPLES);
    RoutingTable table = new RoutingTable(pair, train, test);
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
    LinearComplexityEstimator chosen = reportChoice(pair, best, train, routing);
    atThreshold(pair, "shipped DEFAULT", LinearComplexityEstimator.DEFAULT, train, test, workload);
    atThreshold(pair, "chosen by train CV", chosen, train, test, workload);
    Files.createDirectories(out);
    RoutingPlot.write(pair, out, table.labels(), table.series());
    System.out.println("wrote " + out.resolve(RoutingPlot.chart(pair)));
    return chosen;
  }

  /**
   * A fitted candidate as the router's estimator: σ(10 · (prediction − centre)), centre 0.5 for a
   * fit on the gain's rank (0..1), 0 for a fit on the gain.
   */
  static LinearComplexityEstimator estimator(Candidate c, double[] w) {
    double centre = c.target() == Target.GAIN_RANK ? 0.5 : 0;
    double[] byField = new double[ScoredCase.SIGNALS.size()];
    for (int j = 0; j < c.signals().length; j++) {
      byField[c.signals()[j]] = 10 * w[j + 1];
    }
    return new LinearComplexityEstimator(
        10 * (w[0] - centre),
        byField[0],
        byField[1],
        byField[2],
        byField[3],
        byField[4],
        byField[5],
        byField[6]);
  }

  /**
   * The candidate chosen on the training split: its weights, and its CV over the whole set.
   *
   * @return it, fitted on the training split, as an estimator
   */
  private static LinearComplexityEstimator reportChoice(
      TierPair pair, Candidate best, List<ScoredCase> train, List<ScoredCase> routing) {
    double[] w = RoutingProtocol.fit(train, best.signals(), best.target());
    double centre = best.target() == Target.GAIN_RANK ? 0.5 : 0;
    StringBuilder weights = new StringBuilder();
    weights.append(String.format(Locale.ROOT, "bias %.3f", 10 * (w[0] - centre)));
    for (int j = 0; j < best.signals().length; j++) {
      weights.append(
          String.format(
              Locale.ROOT, ", %s %.3f", ScoredCase.SIGNALS.get(best.signals()[j]), 10 * w[j + 1]));
    }
    Spread all = RoutingProtocol.crossValidate(pair, routing, best.signals(), best.target());
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
    return estimator(best, w);
  }

  /**
   * An estimator at a fixed threshold: the cheap tier's max_complexity that keeps the training
   * split within 50 % of always-capable cost, then what that threshold does on the test split and
   * on the workloads.
   */
  private static void atThreshold(
      TierPair pair,
      String name,
      LinearComplexityEstimator e,
      List<ScoredCase> train,
      List<ScoredCase> test,
      List<ScoredCase> workload) {
    double threshold = Threshold.forCost(pair, train, score(e, train), RoutingProtocol.COST);
    Threshold.Outcome onTrain = Threshold.apply(pair, train, score(e, train), threshold);
    Threshold.Outcome onTest = Threshold.apply(pair, test, score(e, test), threshold);
    Threshold.Outcome onWorkload = Threshold.apply(pair, workload, score(e, workload), threshold);
    System.out.printf(
        Locale.ROOT,
        "%s %s, %s.max_complexity %.4f (chosen on train for <= 50%% cost):%n"
            + "  train %s%n  test  %s%n  workloads %s; best point <= 50%% cost on the workloads"
            + " %.1f%% (issue-12 weights, fitted there for small,large: %.1f%%)%n",
        name,
        e,
        pair.small().name(),
        threshold,
        onTrain,
        onTest,
        onWorkload,
        100 * RoutingProtocol.share(pair, workload, score(e, workload), RoutingProtocol.COST),
        100
            * RoutingProtocol.share(
                pair, workload, score(WORKLOAD_FIT, workload), RoutingProtocol.COST));
  }
}
