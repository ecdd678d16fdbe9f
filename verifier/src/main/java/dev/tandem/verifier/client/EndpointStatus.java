package dev.tandem.verifier.client;

/**
 * One verifier endpoint as a {@link GrpcVerifier} sees it, for metrics and readiness.
 *
 * @param endpoint {@code host:port}
 * @param healthy whether its health checks pass (two failed in a row make it unhealthy)
 * @param failedHealthChecks health checks failed in a row, up to now
 * @param breaker its circuit breaker's state
 * @param consecutiveFailures failures since its last success
 * @param sessions sessions this client holds on it
 */
public record EndpointStatus(
    String endpoint,
    boolean healthy,
    int failedHealthChecks,
    BreakerState breaker,
    int consecutiveFailures,
    int sessions) {

  /** True when new sessions may go to it. */
  public boolean available() {
    return healthy && breaker != BreakerState.OPEN;
  }

  /** Its circuit breaker alone. */
  public BreakerStatus breakerStatus() {
    return new BreakerStatus(endpoint, breaker, consecutiveFailures);
  }
}
