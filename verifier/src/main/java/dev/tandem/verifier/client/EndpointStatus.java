package dev.tandem.verifier.client;

/**
 * One verifier endpoint as a {@link GrpcVerifier} sees it, for metrics and readiness.
 *
 * @param endpoint {@code host:port}
 * @param healthy whether its last health check passed
 * @param breaker its circuit breaker's state
 * @param consecutiveFailures failures since its last success
 * @param sessions sessions this client holds on it
 */
public record EndpointStatus(
    String endpoint, boolean healthy, BreakerState breaker, int consecutiveFailures, int sessions) {

  /** True when new sessions may go to it. */
  public boolean available() {
    return healthy && breaker != BreakerState.OPEN;
  }
}
