package dev.tandem.router.redis;

import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.TandemException;

/**
 * Redis did not answer a command in time, refused the connection, or is known to be down: what
 * Tandem does then is its callers' policy (budgets: {@code redis.on_failure}; the cache: a miss).
 * Should one reach a client unhandled it reads UNAVAILABLE / 503, never INTERNAL.
 */
public final class RedisUnavailableException extends TandemException {

  public RedisUnavailableException(String message, Throwable cause) {
    super(ErrorKind.UNAVAILABLE, null, message, cause);
  }
}
