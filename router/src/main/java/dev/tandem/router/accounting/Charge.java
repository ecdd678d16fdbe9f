package dev.tandem.router.accounting;

import java.util.Map;

/**
 * What a finished, cancelled or failed request actually cost, and how to attribute it.
 *
 * @param costNanos actual cost in nano-USD; must not exceed the reservation's
 * @param tokens actual prompt + output tokens
 * @param tier the tier that served it ("" when it never reached one)
 * @param tags attribution tags (team, feature, ...), the tenant's defaults merged in
 */
public record Charge(long costNanos, int tokens, String tier, Map<String, String> tags) {

  public Charge {
    if (costNanos < 0 || tokens < 0) {
      throw new IllegalArgumentException(
          "costNanos and tokens must be >= 0, got " + costNanos + ", " + tokens);
    }
    tags = Map.copyOf(tags);
  }

  /** Nothing was computed (refused or failed before the first forward). */
  public static Charge nothing(String tier, Map<String, String> tags) {
    return new Charge(0, 0, tier, tags);
  }
}
