package dev.tandem.router.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.VerifierSession;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The synthetic verifier paces each session on its own clock: one verdict per pace after the
 * previous release while the router keeps up, at once when it calls later than that; and every
 * release is reported with the time the timer gave it. The clock is moved by hand, so the figures
 * are exact and nothing depends on how fast this machine runs the test.
 */
class SyntheticPacingTest {

  private static final long PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long START = 1_000_000_000L;

  private final AtomicLong clock = new AtomicLong(START);

  /** Releases every stage at once, with its due time as the release time, and records the dues. */
  private final List<Long> dues = new ArrayList<>();

  private final SyntheticBackend backend =
      new SyntheticBackend(
          20,
          1.0,
          due -> {
            dues.add(due);
            return CompletableFuture.completedFuture(due);
          },
          clock::get);

  @Test
  void aRouterThatKeepsUpGetsOneVerdictPerPaceOnTheSessionsClock() {
    List<Long> released = new ArrayList<>();
    backend.watchReleases(prompt -> released::add);
    VerifierSession session = open();
    for (int i = 0; i < 3; i++) {
      clock.addAndGet(PACE_NANOS / 2); // the router asks before the next verdict is due
      session.verify(DraftBlock.empty());
    }

    assertEquals(4, dues.size());
    assertEquals(START + PACE_NANOS, dues.get(0), "the open call takes one pace");
    for (int i = 1; i < dues.size(); i++) {
      assertEquals(PACE_NANOS, dues.get(i) - dues.get(i - 1), "verdict " + i);
    }
    assertEquals(dues, released, "each release is reported with the time the timer gave it");
  }

  @Test
  void aRouterThatCallsLateIsAnsweredAtOnceAndKeepsPacingFromThere() {
    VerifierSession session = open();
    // Calls 2 ms after its verdict was due (the fake released the open call at once).
    long called = dues.get(0) + PACE_NANOS + TimeUnit.MILLISECONDS.toNanos(2);
    clock.set(called);
    session.verify(DraftBlock.empty());
    session.verify(DraftBlock.empty());

    assertEquals(called, dues.get(1), "answered when asked, without waiting a whole pace");
    assertEquals(PACE_NANOS, dues.get(2) - dues.get(1), "pacing goes on from the late verdict");
  }

  private VerifierSession open() {
    return backend
        .verifier()
        .open(new int[] {'h', 'i'}, SamplingParams.GREEDY, 1000)
        .toCompletableFuture()
        .join();
  }
}
