package dev.tandem.verifier.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One check per tick times out exactly the calls that are overdue, whatever the number of sessions,
 * on a hand-moved clock; the check runs only while sessions are open.
 */
class CallDeadlinesTest {

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** A session with one due time (0: no call pending), as {@link RemoteSession} keeps it. */
  private static final class Session implements CallDeadlines.Watched {
    long due;
    int timeouts;

    @Override
    public boolean overdue(long nowNanos) {
      return due != 0 && nowNanos - due >= 0;
    }

    @Override
    public void timedOut() {
      due = 0;
      timeouts++;
    }
  }

  /** Runs {@code body} on the context, where the deadlines live, and waits for it. */
  private void onContext(Runnable body) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          try {
            body.run();
            done.complete(null);
          } catch (Throwable t) {
            done.completeExceptionally(t);
          }
        });
    done.join();
  }

  @Test
  void aTickTimesOutTheOverdueCallsOnlyAndStopsWithTheLastSession() {
    // A long timeout: the real periodic tick (every 250 ms) sees no call overdue on this clock
    // unless the test moves it; the test ticks by hand.
    CallDeadlines deadlines = new CallDeadlines(vertx, Duration.ofSeconds(30), now::get);
    List<Session> sessions = new ArrayList<>();
    onContext(
        () -> {
          for (int i = 0; i < 1000; i++) {
            Session s = new Session();
            deadlines.join(s);
            sessions.add(s);
            s.due = deadlines.dueFromNow(); // a call made now
            now.addAndGet(1_000_000); // the next one a millisecond later
          }
          sessions.get(7).due = 0; // answered in time
          assertTrue(deadlines.ticking());
          assertEquals(1000, deadlines.watched());
        });
    // 30 s after the first call plus 499 ms: calls 0..499 are due, except the answered one.
    now.set(1_000_000_000L + Duration.ofSeconds(30).toNanos() + 499_000_000L);
    onContext(deadlines::tick);
    for (int i = 0; i < 1000; i++) {
      int expected = i <= 499 && i != 7 ? 1 : 0;
      assertEquals(expected, sessions.get(i).timeouts, "timeouts of call " + i);
    }
    onContext(deadlines::tick); // a timed-out call is not timed out again
    assertEquals(1, sessions.get(0).timeouts);
    onContext(
        () -> {
          sessions.forEach(deadlines::leave);
          assertFalse(deadlines.ticking(), "no check while no session is open");
        });
  }
}
