package dev.tandem.router.connections;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * How the connection limits' timers are scheduled: {@link #NETTY} runs each on its connection's
 * event loop after its delay; a test substitutes timers on a clock it moves by hand, so that it can
 * show a timer firing (or doing nothing when it fires) without waiting for it.
 *
 * <p>Threading: {@link #schedule} is called on the connection's event loop and the task must run
 * there too; {@link Timer#cancel} is called on that loop.
 */
public interface ConnectionTimers {

  /** A scheduled task that may still be cancelled. */
  interface Timer {
    /** The task will not run (a no-op once it has run). */
    void cancel();
  }

  /** Runs {@code task} on {@code loop} once {@code delayNanos} have passed. */
  Timer schedule(EventExecutor loop, Runnable task, long delayNanos);

  /** Netty's scheduler: the task runs on {@code loop} after the delay, by the wall clock. */
  ConnectionTimers NETTY =
      (loop, task, delayNanos) -> {
        ScheduledFuture<?> future = loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
      };
}
