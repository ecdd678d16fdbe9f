package dev.tandem.router.engine;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The deadlines of the streams one router serves (a gRPC caller's {@code grpc-timeout}, the HTTP
 * API's {@code limits.request_timeout_ms}), checked by one tick every {@value #TICK_MILLIS} ms
 * instead of a Vert.x timer per stream: thousands of streams then cost one timer, not thousands of
 * entries in the event loops' timer queues. A stream's deadline passes between its due time and one
 * tick later; the tick runs only while some stream has a deadline.
 *
 * <p>Threading: {@link #watch} from any thread (the streams' event loops); the tick runs on an
 * event loop and hands each expired stream's {@link GenerationHandle#deadlineExceeded()} to the
 * stream's own context.
 */
public final class StreamDeadlines {

  static final long TICK_MILLIS = 10;

  private final Vertx vertx;
  private final LongSupplier clock;
  private final Set<Watch> pending = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean armed = new AtomicBoolean();

  public StreamDeadlines(Vertx vertx) {
    this(vertx, System::nanoTime);
  }

  /**
   * @param clock the due times' clock ({@link System#nanoTime()} but in tests)
   */
  StreamDeadlines(Vertx vertx, LongSupplier clock) {
    this.vertx = vertx;
    this.clock = clock;
  }

  /** One stream's deadline (identity: two streams due at the same time are two entries). */
  private static final class Watch {
    final long dueNanos;
    final GenerationHandle generation;
    final Context context;

    Watch(long dueNanos, GenerationHandle generation, Context context) {
      this.dueNanos = dueNanos;
      this.generation = generation;
      this.context = context;
    }
  }

  /**
   * Ends {@code generation} with DEADLINE_EXCEEDED on {@code context} once {@code timeout} has
   * passed, unless it completed before.
   */
  public void watch(GenerationHandle generation, Context context, Duration timeout) {
    Watch watch = new Watch(clock.getAsLong() + timeout.toNanos(), generation, context);
    pending.add(watch);
    generation.completion().onComplete(ended -> pending.remove(watch));
    if (armed.compareAndSet(false, true)) {
      vertx.setTimer(TICK_MILLIS, id -> tick());
    }
  }

  /** Streams with a deadline still to come (for tests). */
  int pending() {
    return pending.size();
  }

  /** Ends the streams whose deadline passed; arms the next tick while any is left. */
  void tick() {
    long now = clock.getAsLong();
    for (Watch watch : pending) {
      if (now - watch.dueNanos >= 0 && pending.remove(watch)) {
        watch.context.runOnContext(v -> watch.generation.deadlineExceeded());
      }
    }
    armed.set(false);
    // A stream added during the scan saw the tick armed and did not arm one: look again.
    if (!pending.isEmpty() && armed.compareAndSet(false, true)) {
      vertx.setTimer(TICK_MILLIS, id -> tick());
    }
  }
}
