package dev.tandem.bench.cost;

import java.util.Arrays;
import java.util.Locale;

/**
 * The small tier's {@code max_complexity} as a deployment sets it: one fixed threshold (prompts
 * scoring above it go to the large tier), chosen on one set of prompts and then applied to others.
 * Stateless.
 */
final class Threshold {

  /** What a fixed threshold did on a set of prompts. */
  record Outcome(int toLarge, int prompts, double costFraction, double gapRecovered) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%d of %d prompts to the capable tier, cost %.1f%% of always-capable, gap recovered"
              + " %.1f%%",
          toLarge,
          prompts,
          100 * costFraction,
          100 * gapRecovered);
    }
  }

  private Threshold() {}

  /**
   * The lowest threshold (most prompts to large) that keeps {@code cases} within {@code
   * costFraction} of always-large cost: midway between the last score sent to large and the next,
   * rounded to 4 decimals as config carries it.
   */
  static double forCost(
      TierPair pair, java.util.List<ScoredCase> cases, double[] score, double costFraction) {
    double[] sorted = score.clone();
    Arrays.sort(sorted); // ascending
    double best = 1.0;
    for (int i = sorted.length - 1; i >= 0; i--) {
      double candidate = i == 0 ? 0 : Math.round((sorted[i] + sorted[i - 1]) / 2 * 1e4) / 1e4;
      if (apply(pair, cases, score, candidate).costFraction() > costFraction + 1e-12) {
        break;
      }
      best = candidate;
    }
    return best;
  }

  static Outcome apply(
      TierPair pair, java.util.List<ScoredCase> cases, double[] score, double threshold) {
    double cost = 0;
    double costLarge = 0;
    double gain = 0;
    double gainAll = 0;
    int toLarge = 0;
    for (int i = 0; i < score.length; i++) {
      ScoredCase c = cases.get(i);
      boolean large = score[i] > threshold;
      toLarge += large ? 1 : 0;
      cost += c.tokens() * (large ? pair.priceLarge() : pair.priceSmall());
      costLarge += c.tokens() * pair.priceLarge();
      gain += large ? c.gain() : 0;
      gainAll += c.gain();
    }
    return new Outcome(toLarge, cases.size(), cost / costLarge, gain / gainAll);
  }
}
