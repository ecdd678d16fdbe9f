package dev.tandem.router.accounting;

/**
 * The refusals of a reservation, worded once for every store: which limit refused, what was in use,
 * and when the window ends ({@code Retry-After}).
 *
 * <p>Stateless.
 */
final class Refusals {

  private Refusals() {}

  static QuotaExceededException concurrentStreams(String tenant, long inFlight, int limit) {
    return new QuotaExceededException(
        "concurrent_streams",
        "tenant " + tenant + " has " + inFlight + " of " + limit + " concurrent_streams in flight",
        1);
  }

  static QuotaExceededException requestsPerMinute(String tenant, int limit, long retryAfter) {
    return new QuotaExceededException(
        "requests_per_minute",
        "tenant " + tenant + " reached requests_per_minute " + limit,
        retryAfter);
  }

  static QuotaExceededException tokensPerMinute(
      String tenant, int tokens, long limit, long used, long retryAfter) {
    return new QuotaExceededException(
        "tokens_per_minute",
        "tenant "
            + tenant
            + ": "
            + tokens
            + " tokens (prompt + max_tokens) would exceed"
            + " tokens_per_minute "
            + limit
            + " ("
            + used
            + " used)",
        retryAfter);
  }

  /**
   * @param which {@code daily} or {@code monthly}
   */
  static QuotaExceededException budget(
      String tenant,
      String which,
      long limit,
      long committed,
      long held,
      long costNanos,
      long retryAfter) {
    return new QuotaExceededException(
        which + "_budget_usd",
        String.format(
            "tenant %s: this request may cost up to %.9f USD, which does not fit the %s budget of"
                + " %.6f USD (%.9f spent, %.9f held by requests in flight)",
            tenant,
            Money.usd(costNanos),
            which,
            Money.usd(limit),
            Money.usd(committed),
            Money.usd(held)),
        retryAfter);
  }
}
