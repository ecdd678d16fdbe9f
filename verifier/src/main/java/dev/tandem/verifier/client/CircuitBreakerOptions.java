package dev.tandem.verifier.client;

import java.time.Duration;

/**
 * When an endpoint is taken out of rotation and for how long.
 *
 * @param failureThreshold consecutive failures (unreachable, broken stream, call timeout) that open
 *     the circuit, 1..1000
 * @param openDuration how long an open circuit refuses new sessions before one probe session is let
 *     through (half-open), at least 1 ms
 */
public record CircuitBreakerOptions(int failureThreshold, Duration openDuration) {

  /** Three consecutive failures open the circuit for 10 s. */
  public static final CircuitBreakerOptions DEFAULTS =
      new CircuitBreakerOptions(3, Duration.ofSeconds(10));

  public CircuitBreakerOptions {
    if (failureThreshold < 1 || failureThreshold > 1000) {
      throw new IllegalArgumentException(
          "failureThreshold must be in 1..1000, got " + failureThreshold);
    }
    if (openDuration == null || openDuration.toMillis() < 1) {
      throw new IllegalArgumentException("openDuration must be >= 1 ms, got " + openDuration);
    }
  }
}
