package dev.tandem.router.synthetic;

import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Releases the synthetic backend's stages with one periodic 1 ms Vert.x timer instead of one timer
 * per call: thousands of paced streams cost one tick per millisecond, so a benchmark measures the
 * router rather than the timer wheel. A stage is released by the first tick at or after its due
 * time and completes with its release time: when the tick would have released it had the ticks come
 * every millisecond since the previous one. A tick that comes late because its event loop was busy
 * (with the router's own work, say) so does not hide that wait, and everything one tick releases
 * shares about one time, so that a benchmark measuring from it counts the wait of the last one
 * behind the others. The up to 1 ms a due time waits for the next tick is the timer's, not counted.
 *
 * <p>Threading: {@link #releaseAt} from any thread; futures complete on the ticking event loop.
 */
public final class PacingTimer implements AutoCloseable {

  private static final long TICK_NANOS = 1_000_000;

  private record Due(long atNanos, CompletableFuture<Long> future) {}

  private final Vertx vertx;
  private final Queue<Due> incoming = new ConcurrentLinkedQueue<>();
  private final Queue<Due> waiting = new ArrayDeque<>();
  private final long timerId;
  private long lastTick = System.nanoTime();

  public PacingTimer(Vertx vertx) {
    this.vertx = vertx;
    this.timerId = vertx.setPeriodic(1, id -> tick());
  }

  /**
   * A stage released by the first tick at or after {@code dueNanos} (a {@link System#nanoTime()}),
   * completing with the time of that tick; at once, with the current time, when it is already due.
   */
  public CompletionStage<Long> releaseAt(long dueNanos) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    long now = System.nanoTime();
    if (dueNanos <= now) {
      future.complete(now);
    } else {
      incoming.add(new Due(dueNanos, future));
    }
    return future;
  }

  private void tick() {
    for (Due d; (d = incoming.poll()) != null; ) {
      waiting.add(d);
    }
    long now = System.nanoTime();
    long previous = lastTick;
    lastTick = now;
    int n = waiting.size();
    for (int i = 0; i < n; i++) {
      Due d = waiting.poll();
      if (d.atNanos() <= now) {
        long onTime = previous + Math.ceilDiv(d.atNanos() - previous, TICK_NANOS) * TICK_NANOS;
        d.future().complete(Math.min(now, Math.max(onTime, d.atNanos())));
      } else {
        waiting.add(d);
      }
    }
  }

  @Override
  public void close() {
    vertx.cancelTimer(timerId);
  }
}
