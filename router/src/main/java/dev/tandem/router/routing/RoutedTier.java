package dev.tandem.router.routing;

import dev.tandem.speccore.Prices;

/**
 * A tier as routing sees it.
 *
 * @param name the tier's name
 * @param rank its place from cheapest (0) to most capable; pins compare ranks
 * @param prices its verifier pricing and the draft price
 * @param maxComplexity the hardest prompt (estimator score, [0, 1]) it is trusted with: its
 *     expected quality clears the bar for every prompt scoring at most this
 */
public record RoutedTier(String name, int rank, Prices prices, double maxComplexity) {

  public RoutedTier {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("tier name must not be blank");
    }
    if (prices == null) {
      throw new IllegalArgumentException("tier " + name + ": prices must not be null");
    }
    if (!(maxComplexity >= 0 && maxComplexity <= 1)) {
      throw new IllegalArgumentException(
          "tiers." + name + ".max_complexity must be in [0, 1], got " + maxComplexity);
    }
  }
}
