package dev.tandem.router;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * Bounded waits for state that another component reaches without telling anyone (a session count
 * falling to zero, a file watcher applying a config): polled every 10 ms, failing only when the
 * bound (far beyond what the step needs) passes.
 */
public final class Eventually {

  private Eventually() {}

  /** Waits until {@code condition} holds; throws naming {@code what} after {@code bound}. */
  public static void until(BooleanSupplier condition, Duration bound, String what) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + bound + " waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  /** Waits at most {@code bound} for {@code count} to reach zero; returns its last value. */
  public static int zero(IntSupplier count, Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (count.getAsInt() != 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    return count.getAsInt();
  }
}
