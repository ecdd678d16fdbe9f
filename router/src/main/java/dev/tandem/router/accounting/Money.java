package dev.tandem.router.accounting;

/**
 * Amounts of USD as whole nano-dollars (1e-9 USD) in a {@code long}: budgets, reservations and
 * spend add up exactly (no floating-point drift between what was reserved and what is released),
 * the largest amount is about 9.2 billion USD, and a Redis store can keep them with INCRBY.
 */
public final class Money {

  /** Nano-dollars in one dollar. */
  public static final long NANOS_PER_USD = 1_000_000_000L;

  private Money() {}

  /** USD to nano-dollars, rounded up: a reservation never comes out smaller than its cost. */
  public static long ceilNanos(double usd) {
    requireAmount(usd);
    return (long) Math.ceil(usd * NANOS_PER_USD - 1e-6);
  }

  /** USD to nano-dollars, rounded to nearest (for configured limits). */
  public static long roundNanos(double usd) {
    requireAmount(usd);
    return Math.round(usd * NANOS_PER_USD);
  }

  public static double usd(long nanos) {
    return (double) nanos / NANOS_PER_USD;
  }

  private static void requireAmount(double usd) {
    if (!(usd >= 0) || usd > Long.MAX_VALUE / (double) NANOS_PER_USD) {
      throw new IllegalArgumentException("amount must be in 0..9.2e9 USD, got " + usd);
    }
  }
}
