package dev.tandem.bench.cost;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * How the routing evaluation fits and judges an estimator so that no prompt is scored by weights
 * fitted on it: candidates (a set of signals and a regression target) are compared by k-fold
 * cross-validation on the training split, repeated over seeds; the best is fitted on the whole
 * training split and judged on the test split, with a bootstrap interval over the test prompts. The
 * figure throughout is the share of the small→large quality gap recovered at ≤ {@link #COST} of
 * always-large cost. Stateless.
 */
final class RoutingProtocol {

  static final double COST = 0.5;
  static final int FOLDS = 5;
  static final int SEEDS = 20;
  static final int RESAMPLES = 1000;
  static final double RIDGE = 1.0;

  /** What the least-squares fit predicts. */
  enum Target {
    /** the large tier's gain itself (nats per token) */
    GAIN,
    /** the gain's rank among the training prompts, 0..1: only the order matters for routing */
    GAIN_RANK
  }

  /** An estimator to fit: signals (indices into {@link ScoredCase#SIGNALS}) and target. */
  record Candidate(String name, int[] signals, Target target) {}

  /**
   * Cross-validated figures: the pooled out-of-fold curve's mean and standard deviation over the
   * seeds, and the figure on each fold's own prompts (mean and standard deviation over all folds).
   */
  record Spread(double mean, double sd, double foldMean, double foldSd) {}

  record Interval(double low, double high) {}

  private RoutingProtocol() {}

  /** Weights {@code [bias, w...]} of the candidate fitted on {@code train}. */
  static double[] fit(List<ScoredCase> train, int[] signals, Target target) {
    double[] y = gains(train);
    if (target == Target.GAIN_RANK) {
      double[] r = ranks(y);
      for (int i = 0; i < y.length; i++) {
        y[i] = r[i] / (y.length - 1);
      }
    }
    return LeastSquares.fit(columns(train, signals), y, RIDGE);
  }

  static double[] predict(double[] w, List<ScoredCase> cases, int[] signals) {
    return cases.stream()
        .mapToDouble(c -> LeastSquares.predict(w, select(c.features(), signals)))
        .toArray();
  }

  /** The figure: share of the gap recovered by routing on {@code score} at ≤ the cost fraction. */
  static double share(TierPair pair, List<ScoredCase> cases, double[] score, double costFraction) {
    RoutingCurve curve = pair.curve(cases);
    return RoutingCurve.recoveredAt(curve.byScore(score), costFraction);
  }

  /** {@link #FOLDS}-fold cross-validation of a candidate over {@link #SEEDS} fold assignments. */
  static Spread crossValidate(TierPair pair, List<ScoredCase> cases, int[] signals, Target target) {
    int n = cases.size();
    double[] pooled = new double[SEEDS];
    double[] perFold = new double[SEEDS * FOLDS];
    for (int seed = 0; seed < SEEDS; seed++) {
      int[] fold = folds(n, seed);
      double[] score = new double[n];
      for (int f = 0; f < FOLDS; f++) {
        List<ScoredCase> train = new ArrayList<>();
        List<ScoredCase> held = new ArrayList<>();
        List<Integer> heldAt = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          if (fold[i] == f) {
            held.add(cases.get(i));
            heldAt.add(i);
          } else {
            train.add(cases.get(i));
          }
        }
        double[] heldScore = predict(fit(train, signals, target), held, signals);
        for (int j = 0; j < heldAt.size(); j++) {
          score[heldAt.get(j)] = heldScore[j];
        }
        perFold[seed * FOLDS + f] = share(pair, held, heldScore, COST);
      }
      pooled[seed] = share(pair, cases, score, COST);
    }
    return new Spread(mean(pooled), sd(pooled), mean(perFold), sd(perFold));
  }

  /** Fold of each prompt: a seeded shuffle dealt round-robin, so folds differ by at most one. */
  static int[] folds(int n, long seed) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    java.util.Collections.shuffle(order, new Random(seed));
    int[] fold = new int[n];
    for (int i = 0; i < n; i++) {
      fold[order.get(i)] = i % FOLDS;
    }
    return fold;
  }

  /**
   * 95 % percentile interval of the figure for fixed scores, resampling the prompts with
   * replacement ({@link #RESAMPLES} times): the gap itself is re-estimated in every resample.
   */
  static Interval bootstrap(TierPair pair, List<ScoredCase> cases, double[] score, long seed) {
    Random random = new Random(seed);
    int n = cases.size();
    double[] figures = new double[RESAMPLES];
    for (int b = 0; b < RESAMPLES; b++) {
      List<ScoredCase> sample = new ArrayList<>(n);
      double[] sampleScore = new double[n];
      for (int i = 0; i < n; i++) {
        int k = random.nextInt(n);
        sample.add(cases.get(k));
        sampleScore[i] = score[k];
      }
      figures[b] = share(pair, sample, sampleScore, COST);
    }
    Arrays.sort(figures);
    return new Interval(
        figures[(int) (0.025 * RESAMPLES)], figures[(int) Math.ceil(0.975 * RESAMPLES) - 1]);
  }

  /**
   * Split-half reliability of the per-prompt gain: the correlation of the gain measured on the
   * even-numbered continuation tokens with that on the odd-numbered ones, stepped up to the full
   * length (Spearman–Brown). The share of the gain's variance across prompts that is not noise.
   */
  static double reliability(List<ScoredCase> cases) {
    double[] a = cases.stream().mapToDouble(ScoredCase::gainEven).toArray();
    double[] b = cases.stream().mapToDouble(ScoredCase::gainOdd).toArray();
    double r = pearson(a, b);
    return 2 * r / (1 + r);
  }

  /** Spearman rank correlation of a score with the true gain. */
  static double spearman(double[] score, List<ScoredCase> cases) {
    return pearson(ranks(score), ranks(gains(cases)));
  }

  static double[] gains(List<ScoredCase> cases) {
    return cases.stream().mapToDouble(ScoredCase::gain).toArray();
  }

  static double[][] columns(List<ScoredCase> cases, int[] signals) {
    return cases.stream().map(c -> select(c.features(), signals)).toArray(double[][]::new);
  }

  private static double[] select(double[] all, int[] signals) {
    double[] x = new double[signals.length];
    for (int j = 0; j < signals.length; j++) {
      x[j] = all[signals[j]];
    }
    return x;
  }

  private static double pearson(double[] a, double[] b) {
    double ma = mean(a);
    double mb = mean(b);
    double num = 0;
    double da = 0;
    double db = 0;
    for (int i = 0; i < a.length; i++) {
      num += (a[i] - ma) * (b[i] - mb);
      da += (a[i] - ma) * (a[i] - ma);
      db += (b[i] - mb) * (b[i] - mb);
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

  static double mean(double[] v) {
    return Arrays.stream(v).average().orElse(Double.NaN);
  }

  static double sd(double[] v) {
    double m = mean(v);
    return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / v.length);
  }
}
