package dev.tandem.verifier.client;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Times out the pending calls of one verifier client's sessions with one periodic check instead of
 * a timer per call: arming and cancelling a Vert.x timer for every verify call of every stream
 * costs a timer-queue insertion and removal (and their objects) per chunk. Every call has the same
 * timeout, so a tick every {@code timeout / 4} (between 1 and 250 ms) finds the overdue ones: a
 * call times out between the timeout and the timeout plus one tick. The tick runs only while
 * sessions are open, and looks at each open session's one due time (no object per call).
 *
 * <p>Threading: confined to the verifier's context: sessions register, arm and leave there, and the
 * tick runs there (the periodic timer is set from it).
 */
final class CallDeadlines {

  /** A session whose pending call can run out of time. */
  interface Watched {
    /** True when a call is pending and was due before {@code nowNanos}. */
    boolean overdue(long nowNanos);

    /** The pending call ran out of time. */
    void timedOut();
  }

  private final Vertx vertx;
  private final long timeoutNanos;
  private final long tickMillis;
  private final LongSupplier clock;
  private final Set<Watched> open = new LinkedHashSet<>();
  private long timer = -1;

  CallDeadlines(Vertx vertx, Duration timeout, LongSupplier clock) {
    this.vertx = vertx;
    this.timeoutNanos = timeout.toNanos();
    this.tickMillis = Math.clamp(timeout.toMillis() / 4, 1, 250);
    this.clock = clock;
  }

  /** The due time of a call made now. */
  long dueFromNow() {
    return clock.getAsLong() + timeoutNanos;
  }

  long timeoutMillis() {
    return timeoutNanos / 1_000_000;
  }

  /** Watches {@code session} until {@link #leave}; starts the tick with the first one. */
  void join(Watched session) {
    open.add(session);
    if (timer < 0) {
      timer = vertx.setPeriodic(tickMillis, id -> tick());
    }
  }

  /** Stops watching {@code session}; the tick stops with the last one. */
  void leave(Watched session) {
    open.remove(session);
    if (open.isEmpty() && timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** Sessions watched now (for tests). */
  int watched() {
    return open.size();
  }

  /** True while the periodic check is armed (for tests). */
  boolean ticking() {
    return timer >= 0;
  }

  /** Times out every overdue call (which may make its session leave: collected first). */
  void tick() {
    long now = clock.getAsLong();
    List<Watched> overdue = new ArrayList<>(0);
    for (Watched session : open) {
      if (session.overdue(now)) {
        overdue.add(session);
      }
    }
    overdue.forEach(Watched::timedOut);
  }
}
