package dev.tandem.router.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.LockSupport;

/**
 * Releases the synthetic backend's stages each at its own due time, from a thread of its own that
 * parks until the next one (as precisely as the OS wakes a parked thread, about 0.05 ms here): the
 * verdicts of independent streams come spread over time, as a remote verifier's replies to them
 * would, where {@link PacingTimer} gathers them into 1 ms ticks (at 500 streams on a 20 ms pace,
 * about 25 at once). A stage completes with the time this thread released it, so its own lateness
 * (a wake-up late because the CPUs were busy) is the backend's, not counted, as the transport
 * bench's tick does not count its own.
 *
 * <p>Threading: {@link #releaseAt} from any thread; stages complete on this timer's thread, which
 * {@link #close} stops.
 */
public final class SpreadPacing implements AutoCloseable {

  private record Due(long atNanos, CompletableFuture<Long> future) {}

  /** Guarded by itself. */
  private final PriorityQueue<Due> waiting =
      new PriorityQueue<>((a, b) -> Long.compare(a.atNanos(), b.atNanos()));

  private final Thread thread;
  private volatile boolean closed;

  public SpreadPacing() {
    thread = Thread.ofPlatform().daemon().name("synthetic-spread-pacing").start(this::run);
  }

  /**
   * A stage released at {@code dueNanos} (a {@link System#nanoTime()}) or just after, completing
   * with the time it was released; at once, with the current time, when it is already due.
   */
  public CompletionStage<Long> releaseAt(long dueNanos) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    long now = System.nanoTime();
    if (dueNanos <= now) {
      future.complete(now);
      return future;
    }
    boolean first;
    synchronized (waiting) {
      waiting.add(new Due(dueNanos, future));
      first = waiting.peek().future() == future;
    }
    if (first) {
      LockSupport.unpark(thread); // it may be parked until a later due time
    }
    return future;
  }

  private void run() {
    List<Due> due = new ArrayList<>();
    while (!closed) {
      long now = System.nanoTime();
      long wait;
      synchronized (waiting) {
        while (!waiting.isEmpty() && waiting.peek().atNanos() <= now) {
          due.add(waiting.poll());
        }
        wait = waiting.isEmpty() ? 1_000_000 : waiting.peek().atNanos() - now;
      }
      for (Due d : due) {
        d.future().complete(now);
      }
      due.clear();
      if (wait > 0) {
        LockSupport.parkNanos(this, wait);
      }
    }
  }

  /** Stops the thread; stages not yet released stay incomplete. */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(thread);
  }
}
