package dev.tandem.router.connections;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Connection timers on a clock the test moves: nothing fires until {@link #advance} passes a
 * timer's due time, and then it runs on its connection's event loop as a real one would.
 *
 * <p>Threading: {@link ConnectionTimers#schedule} and cancel come from event loops, {@link
 * #advance} from the test thread; all state is guarded by this object.
 */
final class ManualTimers implements ConnectionTimers {

  private final class Entry implements Timer {
    final EventExecutor loop;
    final Runnable task;
    final long dueNanos;
    boolean done; // fired or cancelled

    Entry(EventExecutor loop, Runnable task, long dueNanos) {
      this.loop = loop;
      this.task = task;
      this.dueNanos = dueNanos;
    }

    @Override
    public void cancel() {
      synchronized (ManualTimers.this) {
        done = true;
      }
    }
  }

  private final List<Entry> entries = new ArrayList<>();
  private long nowNanos;

  @Override
  public synchronized Timer schedule(EventExecutor loop, Runnable task, long delayNanos) {
    Entry entry = new Entry(loop, task, nowNanos + delayNanos);
    entries.add(entry);
    return entry;
  }

  /** Timers scheduled that have neither fired nor been cancelled. */
  synchronized int pending() {
    return (int) entries.stream().filter(e -> !e.done).count();
  }

  /**
   * Moves the clock by {@code by} and runs every timer that fell due, each on its event loop;
   * returns once they have run.
   *
   * @return how many fired
   */
  int advance(Duration by) throws Exception {
    List<Entry> due = new ArrayList<>();
    synchronized (this) {
      nowNanos += by.toNanos();
      for (Entry entry : entries) {
        if (!entry.done && entry.dueNanos <= nowNanos) {
          entry.done = true;
          due.add(entry);
        }
      }
      entries.removeIf(e -> e.done);
    }
    Set<EventExecutor> loops = new HashSet<>();
    for (Entry entry : due) {
      entry.loop.execute(entry.task);
      loops.add(entry.loop);
    }
    for (EventExecutor loop : loops) {
      loop.submit(() -> {}).get(10, TimeUnit.SECONDS); // after the tasks queued before it
    }
    return due.size();
  }
}
