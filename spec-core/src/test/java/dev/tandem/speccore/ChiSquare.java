package dev.tandem.speccore;

import java.util.ArrayList;
import java.util.List;

/**
 * Pearson's chi-square goodness-of-fit test, self-contained (regularized incomplete gamma after
 * Numerical Recipes §6.2), so statistical tests need no library. Cells with an expected count below
 * {@value #MIN_EXPECTED} are pooled into one cell, the usual validity condition.
 *
 * <p>Shared with other modules' statistical tests through spec-core's test jar.
 */
public final class ChiSquare {

  static final double MIN_EXPECTED = 5;

  /** Result of a test: statistic, degrees of freedom and p-value. */
  public record Outcome(double statistic, int degreesOfFreedom, double pValue) {}

  private ChiSquare() {}

  /**
   * @param observed counts per cell
   * @param probabilities expected probability per cell, summing to 1; cells of probability 0 must
   *     have been removed (an observation there is a certain failure the caller checks first)
   */
  public static Outcome test(long[] observed, double[] probabilities) {
    long total = 0;
    for (long o : observed) {
      total += o;
    }
    List<double[]> cells = new ArrayList<>(); // {observed, expected}
    double pooledObserved = 0;
    double pooledExpected = 0;
    for (int i = 0; i < observed.length; i++) {
      double expected = probabilities[i] * total;
      if (expected < MIN_EXPECTED) {
        pooledObserved += observed[i];
        pooledExpected += expected;
      } else {
        cells.add(new double[] {observed[i], expected});
      }
    }
    if (pooledExpected > 0) {
      cells.add(new double[] {pooledObserved, pooledExpected});
    }
    double statistic = 0;
    for (double[] cell : cells) {
      double diff = cell[0] - cell[1];
      statistic += diff * diff / cell[1];
    }
    int df = cells.size() - 1;
    return new Outcome(statistic, df, survival(statistic, df));
  }

  /** P(X >= x) for X ~ chi-square(df). */
  static double survival(double x, int df) {
    return upperRegularizedGamma(df / 2.0, x / 2.0);
  }

  /** Q(a, x) = Γ(a, x) / Γ(a). */
  static double upperRegularizedGamma(double a, double x) {
    if (x <= 0) {
      return 1;
    }
    if (x < a + 1) {
      return 1 - lowerSeries(a, x);
    }
    return upperContinuedFraction(a, x);
  }

  private static double lowerSeries(double a, double x) {
    double term = 1 / a;
    double sum = term;
    for (int n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) {
        break;
      }
    }
    return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
  }

  private static double upperContinuedFraction(double a, double x) {
    double tiny = 1e-300;
    double b = x + 1 - a;
    double c = 1 / tiny;
    double d = 1 / b;
    double h = d;
    for (int i = 1; i < 10_000; i++) {
      double an = -i * (i - a);
      b += 2;
      d = an * d + b;
      d = Math.abs(d) < tiny ? tiny : d;
      c = b + an / c;
      c = Math.abs(c) < tiny ? tiny : c;
      d = 1 / d;
      double delta = d * c;
      h *= delta;
      if (Math.abs(delta - 1) < 1e-15) {
        break;
      }
    }
    return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
  }

  /** Lanczos approximation (g = 7, n = 9), relative error below 1e-14 for a > 0. */
  static double logGamma(double a) {
    double[] c = {
      0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
      -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
      1.5056327351493116e-7
    };
    if (a < 0.5) {
      return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * a))) - logGamma(1 - a);
    }
    a -= 1;
    double sum = c[0];
    double t = a + 7.5;
    for (int i = 1; i < 9; i++) {
      sum += c[i] / (a + i);
    }
    return 0.5 * Math.log(2 * Math.PI) + (a + 0.5) * Math.log(t) - t + Math.log(sum);
  }
}
