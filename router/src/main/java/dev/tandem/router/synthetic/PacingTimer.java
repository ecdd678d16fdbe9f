package dev.tandem.router.synthetic;

import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Completes delays for the synthetic backend with one periodic 1 ms Vert.x timer instead of one
 * timer per call: thousands of paced streams cost one tick per millisecond, so a benchmark measures
 * the router rather than the timer wheel. Delays are rounded up to whole milliseconds.
 *
 * <p>Threading: {@link #delay} from any thread; futures complete on the ticking event loop.
 */
public final class PacingTimer implements AutoCloseable {

  private record Due(long atNanos, CompletableFuture<Long> future) {}

  private final Vertx vertx;
  private final Queue<Due> incoming = new ConcurrentLinkedQueue<>();
  private final Queue<Due> waiting = new ArrayDeque<>();
  private final long timerId;

  public PacingTimer(Vertx vertx) {
    this.vertx = vertx;
    this.timerId = vertx.setPeriodic(1, id -> tick());
  }

  /**
   * A stage that completes after about {@code millis} ms (at once when {@code millis <= 0}) with
   * the time it was released: the {@link System#nanoTime()} of the tick that found it due.
   */
  public CompletionStage<Long> delay(long millis) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    if (millis <= 0) {
      future.complete(System.nanoTime());
    } else {
      incoming.add(new Due(System.nanoTime() + millis * 1_000_000, future));
    }
    return future;
  }

  /** Every delay in one batch has the same length, so arrival order is due order per length. */
  private void tick() {
    for (Due d; (d = incoming.poll()) != null; ) {
      waiting.add(d);
    }
    long now = System.nanoTime();
    int n = waiting.size();
    for (int i = 0; i < n; i++) {
      Due d = waiting.poll();
      if (d.atNanos() <= now) {
        d.future().complete(now);
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
