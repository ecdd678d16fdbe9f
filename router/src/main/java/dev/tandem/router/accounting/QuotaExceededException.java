package dev.tandem.router.accounting;

import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.TandemException;

/** A tenant's quota or budget refuses a request (RESOURCE_EXHAUSTED / 429), with when to retry. */
public final class QuotaExceededException extends TandemException {

  private final long retryAfterSeconds;

  /**
   * @param quota the config key of the limit that refused, e.g. {@code daily_budget_usd}
   * @param retryAfterSeconds when the limit's window ends (or 1 for concurrency), {@code >= 1}
   */
  public QuotaExceededException(String quota, String message, long retryAfterSeconds) {
    super(ErrorKind.RESOURCE_EXHAUSTED, quota, message, null);
    this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
  }

  /** Seconds after which the same request may fit (HTTP {@code Retry-After}). */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
