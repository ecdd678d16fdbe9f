package dev.tandem.verifier.client;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One endpoint's circuit breaker: {@link CircuitBreakerOptions#failureThreshold()} consecutive
 * failures open it; after {@link CircuitBreakerOptions#openDuration()} one probe is let through
 * (half-open); the probe's success closes it, its failure opens it again for another period. Any
 * success resets the failure count. A dead endpoint is thus tried by one request per period, not by
 * every new request. Each change of state is reported to a listener as it happens (metrics), the
 * open-to-half-open one when the state is next read.
 *
 * <p>Threading: any thread (its methods are synchronized); the gRPC verifier calls it on its
 * context, the OpenAI-compatible one wherever its calls complete. The listener runs on the thread
 * that changed the state, with the breaker's lock held: it must not block.
 */
public final class EndpointBreaker {

  private final CircuitBreakerOptions options;
  private final LongSupplier nanoClock;
  private final Consumer<BreakerState> onChange;
  private BreakerState state = BreakerState.CLOSED;
  private int consecutiveFailures;
  private long openedAtNanos;
  private boolean probing;

  public EndpointBreaker(CircuitBreakerOptions options, LongSupplier nanoClock) {
    this(options, nanoClock, changed -> {});
  }

  /**
   * @param onChange told each new state as the breaker moves to it
   */
  public EndpointBreaker(
      CircuitBreakerOptions options, LongSupplier nanoClock, Consumer<BreakerState> onChange) {
    this.options = options;
    this.nanoClock = nanoClock;
    this.onChange = onChange;
  }

  /** The state now (an open circuit whose time is up reads as half-open). */
  public synchronized BreakerState state() {
    if (state == BreakerState.OPEN
        && nanoClock.getAsLong() - openedAtNanos >= options.openDuration().toNanos()) {
      probing = false;
      moveTo(BreakerState.HALF_OPEN);
    }
    return state;
  }

  /** True when a call may go to this endpoint now; a half-open one admits one probe. */
  public synchronized boolean tryAcquire() {
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
  public synchronized void onSuccess() {
    consecutiveFailures = 0;
    probing = false;
    moveTo(BreakerState.CLOSED);
  }

  /** The endpoint failed: unreachable, stream broken, no answer within the call timeout. */
  public synchronized void onFailure() {
    consecutiveFailures++;
    if (state() == BreakerState.HALF_OPEN || consecutiveFailures >= options.failureThreshold()) {
      openedAtNanos = nanoClock.getAsLong();
      probing = false;
      moveTo(BreakerState.OPEN);
    }
  }

  public synchronized int consecutiveFailures() {
    return consecutiveFailures;
  }

  /** How long an open circuit stays open. */
  public CircuitBreakerOptions options() {
    return options;
  }

  private void moveTo(BreakerState next) {
    if (state != next) {
      state = next;
      onChange.accept(next);
    }
  }
}
