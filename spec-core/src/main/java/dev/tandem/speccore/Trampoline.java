package dev.tandem.speccore;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs an action serially in response to signals from any thread, without recursion: a signal that
 * arrives while the action runs (on this thread, when a stage completed synchronously, or on
 * another) is turned into one more iteration of the running loop rather than a nested call. So the
 * stack stays flat however many stages complete synchronously, and the action never runs on two
 * threads at once. The counter's atomic updates give each run a happens-before edge from the
 * signals it serves.
 */
final class Trampoline {

  private final AtomicInteger pending = new AtomicInteger();
  private final Runnable action;

  /**
   * @param action must not throw; it is run at least once after every {@link #signal()}.
   */
  Trampoline(Runnable action) {
    this.action = action;
  }

  /** Runs the action now, or makes the thread already running it run it once more. */
  void signal() {
    if (pending.getAndIncrement() != 0) {
      return;
    }
    do {
      action.run();
    } while (pending.decrementAndGet() != 0);
  }
}
