package dev.tandem.router.accounting;

import java.time.Instant;

/**
 * What a request asks to hold before it starts.
 *
 * @param tenant who pays
 * @param costNanos the request's worst-case cost in nano-USD: prompt plus max_tokens on the chosen
 *     tier's price model with every draft rejected, or its own cost budget when that is smaller
 * @param tokens prompt tokens + max_tokens, for the tokens-per-minute quota
 * @param at when the request arrives; picks the minute, day and month windows
 */
public record ReservationRequest(Tenant tenant, long costNanos, int tokens, Instant at) {

  public ReservationRequest {
    if (tenant == null || at == null) {
      throw new IllegalArgumentException("tenant and at must not be null");
    }
    if (costNanos < 0 || tokens < 0) {
      throw new IllegalArgumentException(
          "costNanos and tokens must be >= 0, got " + costNanos + ", " + tokens);
    }
  }
}
