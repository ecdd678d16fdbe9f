package dev.tandem.verifier.client;

/** Where an endpoint's circuit breaker stands. */
public enum BreakerState {
  /** Sessions go to the endpoint as usual. */
  CLOSED,
  /**
   * Too many consecutive failures: the endpoint gets no new sessions until the open time passes.
   */
  OPEN,
  /** The open time passed: one probe session is let through; its outcome closes or reopens. */
  HALF_OPEN
}
