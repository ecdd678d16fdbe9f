package dev.tandem.speccore;

import static dev.tandem.speccore.LoopFixture.TARGET;
import static dev.tandem.speccore.LoopFixture.await;
import static dev.tandem.speccore.LoopFixture.builder;
import static dev.tandem.speccore.LoopFixture.greedy;
import static dev.tandem.speccore.LoopFixture.overridingVerify;
import static dev.tandem.speccore.LoopFixture.verifierSession;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Cancellation, errors, flow control and stack depth: the loop always ends cleanly, once. */
class SpeculationLoopLifecycleTest {

  @Test
  void cancelFromTheSinkStopsBeforeTheNextProposalAndClosesBothSessionsOnce() throws Exception {
    TestDrafter drafter = TestDrafter.alwaysRight(TARGET, null);
    TestVerifier verifier = new TestVerifier(TARGET, null);
    AtomicReference<SpeculationLoop> loop = new AtomicReference<>();
    CollectingSink cancelOnThirdCall =
        new CollectingSink() {
          @Override
          public synchronized CompletionStage<SinkSignal> onTokens(int[] tokens) {
            if (calls.size() == 2) {
              loop.get().cancel();
            }
            return super.onTokens(tokens);
          }
        };
    loop.set(
        builder(drafter, verifierSession(verifier), cancelOnThirdCall)
            .chooser(DraftLengthChooser.fixed(2))
            .maxTokens(100)
            .build());

    LoopResult result = await(loop.get().start());

    assertEquals(FinishReason.CANCELLED, result.reason());
    assertEquals(2, drafter.proposes.get());
    assertEquals(2, verifier.verifyCalls.get());
    assertEquals(1, drafter.closes.get());
    assertEquals(1, verifier.closes.get());
    loop.get().cancel(); // idempotent, closes nothing twice
    assertEquals(1, verifier.closes.get());
  }

  @Test
  void cancelWhileTheSinkIsPausedEndsAtOnce() throws Exception {
    TestDrafter drafter = TestDrafter.alwaysRight(TARGET, null);
    TestVerifier verifier = new TestVerifier(TARGET, null);
    CompletableFuture<SinkSignal> paused = new CompletableFuture<>();
    var loop =
        builder(drafter, verifierSession(verifier), new LoopFixture.ScriptedSink(2, paused))
            .chooser(DraftLengthChooser.fixed(2))
            .maxTokens(100)
            .build();
    CompletionStage<LoopResult> result = loop.start();

    loop.cancel();

    assertEquals(FinishReason.CANCELLED, await(result).reason());
    assertEquals(1, drafter.closes.get());
    assertEquals(1, verifier.closes.get());
    paused.complete(SinkSignal.CONTINUE); // a late drain changes nothing
    assertEquals(1, drafter.proposes.get());
    assertEquals(1, verifier.closes.get());
  }

  @Test
  void cancelDuringVerifyClosesOnlyAfterTheVerifyCompletes() throws Exception {
    TestDrafter drafter = TestDrafter.alwaysRight(TARGET, null);
    TestVerifier verifier = new TestVerifier(TARGET, null);
    CompletableFuture<Verdict> gate = new CompletableFuture<>();
    VerifierSession session = overridingVerify(verifierSession(verifier), 2, call -> gate);
    var loop =
        builder(drafter, session, new CollectingSink())
            .chooser(DraftLengthChooser.fixed(2))
            .maxTokens(100)
            .build();
    CompletableFuture<LoopResult> result = loop.start().toCompletableFuture();

    loop.cancel();

    assertFalse(result.isDone());
    assertEquals(0, verifier.closes.get(), "closed while a verify was in flight");
    gate.complete(null);
    assertEquals(FinishReason.CANCELLED, await(result).reason());
    assertEquals(2, drafter.proposes.get());
    assertEquals(1, drafter.closes.get());
    assertEquals(1, verifier.closes.get());
  }

  @Test
  void aFailedVerifyFailsTheResultAndClosesBothSessions() {
    IllegalStateException boom = new IllegalStateException("verifier backend gone");
    for (boolean thrown : new boolean[] {false, true}) {
      TestDrafter drafter = TestDrafter.alwaysWrong(TARGET, null);
      TestVerifier verifier = new TestVerifier(TARGET, null);
      VerifierSession session =
          overridingVerify(
              verifierSession(verifier),
              3,
              call -> {
                if (thrown) {
                  throw boom;
                }
                return CompletableFuture.failedFuture(boom);
              });
      var loop =
          builder(drafter, session, new CollectingSink())
              .chooser(DraftLengthChooser.fixed(1))
              .maxTokens(100)
              .build();

      ExecutionException failure =
          assertThrows(ExecutionException.class, () -> await(loop.start()));

      assertSame(boom, failure.getCause(), "thrown=" + thrown);
      assertEquals(3, drafter.proposes.get());
      assertEquals(1, drafter.closes.get());
      assertEquals(1, verifier.closes.get());
    }
  }

  @Test
  void aFailedProposalAndAFailedSinkFailTheResultToo() {
    RuntimeException boom = new RuntimeException("draft executor rejected the task");
    TestVerifier verifier = new TestVerifier(TARGET, null);
    TestDrafter failing =
        new TestDrafter(
            prev -> {
              throw boom;
            },
            null);
    var loop =
        builder(failing, verifierSession(verifier), new CollectingSink())
            .chooser(DraftLengthChooser.fixed(1))
            .maxTokens(9)
            .build();
    assertSame(boom, assertThrows(ExecutionException.class, () -> await(loop.start())).getCause());
    assertEquals(1, failing.closes.get());
    assertEquals(1, verifier.closes.get());

    TestVerifier verifier2 = new TestVerifier(TARGET, null);
    var sink = new LoopFixture.ScriptedSink(2, CompletableFuture.failedFuture(boom));
    var loop2 =
        builder(TestDrafter.alwaysRight(TARGET, null), verifierSession(verifier2), sink)
            .maxTokens(9)
            .build();
    assertSame(boom, assertThrows(ExecutionException.class, () -> await(loop2.start())).getCause());
    assertEquals(1, verifier2.closes.get());
  }

  @Test
  void aPendingSinkStagePausesTheLoopUntilItCompletes() throws Exception {
    TestDrafter drafter = TestDrafter.alwaysRight(TARGET, null);
    CompletableFuture<SinkSignal> drained = new CompletableFuture<>();
    var sink = new LoopFixture.ScriptedSink(2, drained);
    var loop =
        builder(drafter, verifierSession(new TestVerifier(TARGET, null)), sink)
            .chooser(DraftLengthChooser.fixed(3))
            .maxTokens(20)
            .build();

    CompletableFuture<LoopResult> result = loop.start().toCompletableFuture();

    // Everything ran synchronously up to the paused sink: one proposal, no more.
    assertEquals(1, drafter.proposes.get());
    assertEquals(2, sink.calls.size());
    assertFalse(result.isDone());
    drained.complete(SinkSignal.CONTINUE);
    assertEquals(FinishReason.LENGTH, await(result).reason());
    assertArrayEquals(greedy(20), sink.tokens());
  }

  @Test
  void tenThousandSynchronousStepsDoNotGrowTheStack() throws Throwable {
    // A 256 KiB stack overflows after a few thousand nested stage callbacks; the trampoline keeps
    // the depth constant.
    AtomicReference<Object> outcome = new AtomicReference<>();
    Runnable run =
        () -> {
          try {
            TestDrafter alwaysWrong = TestDrafter.alwaysWrong(TARGET, null);
            outcome.set(
                await(
                    builder(
                            alwaysWrong,
                            verifierSession(new TestVerifier(TARGET, null)),
                            new CollectingSink())
                        .chooser(DraftLengthChooser.fixed(1))
                        .maxTokens(10_000)
                        .build()
                        .start()));
          } catch (Throwable t) {
            outcome.set(t);
          }
        };
    Thread thread = new Thread(null, run, "small-stack", 256 * 1024);
    thread.start();
    thread.join();

    if (outcome.get() instanceof Throwable t) {
      throw t;
    }
    LoopResult result = (LoopResult) outcome.get();
    assertEquals(FinishReason.LENGTH, result.reason());
    assertEquals(10_000, result.generatedTokens());
    assertEquals(9_999, result.verifierCalls());
    assertTrue(result.steps().stream().allMatch(s -> s.accepted() == 0));
  }
}
