package dev.tandem.verifier.client;

import java.util.function.LongSupplier;

/**
 * One endpoint's circuit breaker: {@link CircuitBreakerOptions#failureThreshold()} consecutive
 * failures open it; after {@link CircuitBreakerOptions#openDuration()} one probe is let through
 * (half-open); the probe's success closes it, its failure opens it again for another period. Any
 * success resets the failure count. A dead endpoint is thus tried by one request per period, not by
 * every new request.
 *
 * <p>Threading: confined to the {@link GrpcVerifier}'s context.
 */
final class EndpointBreaker {

  private final CircuitBreakerOptions options;
  private final LongSupplier nanoClock;
  private BreakerState state = BreakerState.CLOSED;
  private int consecutiveFailures;
  private long openedAtNanos;
  private boolean probing;

  EndpointBreaker(CircuitBreakerOptions options, LongSupplier nanoClock) {
    this.options = options;
    this.nanoClock = nanoClock;
  }

  /** The state now (an open circuit whose time is up reads as half-open). */
  BreakerState state() {
    if (state == BreakerState.OPEN
        && nanoClock.getAsLong() - openedAtNanos >= options.openDuration().toNanos()) {
      state = BreakerState.HALF_OPEN;
      probing = false;
    }
    return state;
  }

  /** True when a new session may go to this endpoint now; a half-open one admits one probe. */
  boolean tryAcquire() {
    return switch (state()) {
      case CLOSED -> true;
      case OPEN -> false;
      case HALF_OPEN -> {
        if (probing) {
          yield false;
        }
        probing = true;
        yield true;
      }
    };
  }

  /** The endpoint answered (a session opened, a verdict arrived). */
  void onSuccess() {
    consecutiveFailures = 0;
    probing = false;
    state = BreakerState.CLOSED;
  }

  /** The endpoint failed: unreachable, stream broken, no answer within the call timeout. */
  void onFailure() {
    consecutiveFailures++;
    if (state() == BreakerState.HALF_OPEN || consecutiveFailures >= options.failureThreshold()) {
      state = BreakerState.OPEN;
      openedAtNanos = nanoClock.getAsLong();
      probing = false;
    }
  }

  int consecutiveFailures() {
    return consecutiveFailures;
  }
}
