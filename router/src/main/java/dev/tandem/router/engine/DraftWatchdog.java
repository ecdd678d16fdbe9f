package dev.tandem.router.engine;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Times out drafter calls with one timer tick for all calls in flight instead of a timer per call:
 * arming and cancelling a Vert.x timer from a model thread hands a task to an event loop (and wakes
 * it) on every speculation step. Each tick scans the calls in flight and times out those past their
 * deadline, so a call times out between the timeout and the timeout plus one tick ({@code timeout /
 * 4}, between 1 and 250 ms). The tick runs only while calls are in flight.
 *
 * <p>Threading: {@link #watch} and {@link Call#settle} from any thread; timeouts run on a Vert.x
 * event loop.
 */
final class DraftWatchdog {

  private final long timeoutNanos;
  private final long tickMillis;
  private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean armed = new AtomicBoolean();

  /** A call being watched; {@link #settle} it when its answer arrives. */
  final class Call {
    private final long deadlineNanos;
    private final Runnable onTimeout;

    private Call(long deadlineNanos, Runnable onTimeout) {
      this.deadlineNanos = deadlineNanos;
      this.onTimeout = onTimeout;
    }

    /** The answer came: true if it came in time (the timeout has not run and never will). */
    boolean settle() {
      return inFlight.remove(this);
    }
  }

  DraftWatchdog(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
    this.tickMillis = Math.clamp(timeout.toMillis() / 4, 1, 250);
  }

  long timeoutMillis() {
    return timeoutNanos / 1_000_000;
  }

  /** Starts watching a call; {@code onTimeout} runs once if it is not settled in time. */
  Call watch(Vertx vertx, Runnable onTimeout) {
    Call call = new Call(System.nanoTime() + timeoutNanos, onTimeout);
    inFlight.add(call);
    if (armed.compareAndSet(false, true)) {
      vertx.setTimer(tickMillis, id -> tick(vertx));
    }
    return call;
  }

  private void tick(Vertx vertx) {
    long now = System.nanoTime();
    for (Call call : inFlight) {
      if (now - call.deadlineNanos >= 0 && inFlight.remove(call)) {
        call.onTimeout.run();
      }
    }
    armed.set(false);
    // A call added during the scan saw the tick armed and did not arm one: look again.
    if (!inFlight.isEmpty() && armed.compareAndSet(false, true)) {
      vertx.setTimer(tickMillis, id -> tick(vertx));
    }
  }
}
