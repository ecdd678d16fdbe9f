package dev.tandem.router.accounting;

/**
 * Spend of one group in a {@link UsageQuery}'s period.
 *
 * @param group the group's value (tenant id, tier name or tag value; "" when the tag is unset)
 * @param costNanos committed spend in nano-USD
 * @param requests settled requests
 * @param tokens prompt + output tokens
 */
public record UsageRow(String group, long costNanos, long requests, long tokens) {

  public double costUsd() {
    return Money.usd(costNanos);
  }
}
