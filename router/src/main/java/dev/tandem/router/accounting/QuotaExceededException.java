package dev.tandem.router.accounting;

import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.TandemException;
import java.time.Duration;

/**
 * A tenant's quota or budget refuses a request: RESOURCE_EXHAUSTED / 429 with {@code Retry-After}
 * set to when the refusing window ends.
 */
public final class QuotaExceededException extends TandemException {

  /**
   * @param quota the config key of the limit that refused, e.g. {@code daily_budget_usd}
   * @param retryAfterSeconds when the limit's window ends (or 1 for concurrency), {@code >= 1}
   */
  public QuotaExceededException(String quota, String message, long retryAfterSeconds) {
    super(
        ErrorKind.RESOURCE_EXHAUSTED,
        quota,
        message,
        Duration.ofSeconds(Math.max(1, retryAfterSeconds)),
        null);
  }

  /** Seconds after which the same request may fit (HTTP {@code Retry-After}). */
  public long retryAfterSeconds() {
    return retryAfter().orElseThrow().toSeconds();
  }
}
