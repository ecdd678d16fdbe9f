package dev.tandem.router.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.VerifierSession;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The synthetic verifier paces each session on its own clock: one verdict per pace after the
 * previous release while the router keeps up, at once when it calls later than that; and every
 * release is reported with the time the timer gave it.
 */
class SyntheticPacingTest {

  private static final long PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /** Releases every stage at once, with its due time as the release time, and records the dues. */
  private final List<Long> dues = new ArrayList<>();

  private final SyntheticBackend backend =
      new SyntheticBackend(
          20,
          1.0,
          due -> {
            dues.add(due);
            return CompletableFuture.completedFuture(due);
          });

  @Test
  void aRouterThatKeepsUpGetsOneVerdictPerPaceOnTheSessionsClock() {
    List<Long> released = new ArrayList<>();
    backend.watchReleases(prompt -> released::add);
    long before = System.nanoTime();
    VerifierSession session = open();
    for (int i = 0; i < 3; i++) {
      session.verify(DraftBlock.empty());
    }

    assertEquals(4, dues.size());
    assertTrue(dues.get(0) >= before + PACE_NANOS, "the open call takes one pace");
    for (int i = 1; i < dues.size(); i++) {
      assertEquals(PACE_NANOS, dues.get(i) - dues.get(i - 1), "verdict " + i);
    }
    assertEquals(dues, released, "each release is reported with the time the timer gave it");
  }

  @Test
  void aRouterThatCallsLateIsAnsweredAtOnceAndKeepsPacingFromThere() {
    VerifierSession session = open();
    // Calls 2 ms after its verdict was due (the fake released the open call at once).
    long late = dues.get(0) + PACE_NANOS + TimeUnit.MILLISECONDS.toNanos(2);
    while (System.nanoTime() < late) {
      LockSupport.parkNanos(late - System.nanoTime());
    }
    long called = System.nanoTime();
    session.verify(DraftBlock.empty());
    session.verify(DraftBlock.empty());

    assertTrue(dues.get(1) >= called, "not answered before it was asked");
    assertTrue(dues.get(1) - called < PACE_NANOS, "answered without waiting a whole pace");
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
