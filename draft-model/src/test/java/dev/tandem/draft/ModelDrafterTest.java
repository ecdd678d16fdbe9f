package dev.tandem.draft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Sequence;
import dev.tandem.model.SequenceInput;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The model drafter keeps its KV cache in step with what the verifier accepted: drafting with the
 * verifier's own model (greedy), every proposal must be the model's true continuation, however much
 * of the previous proposal was accepted.
 */
class ModelDrafterTest {

  static ModelRuntime runtime;
  static Model model;

  @BeforeAll
  static void load() throws Exception {
    runtime = new ModelRuntime(1);
    model =
        runtime.load(
            Path.of("../model/src/test/resources/models/tiny-gqa-f32"), ModelOptions.DEFAULT);
  }

  @AfterAll
  static void close() {
    model.close();
    runtime.close();
  }

  /** Plain greedy decoding: the reference continuation. */
  static int[] greedy(int[] prompt, int n) throws Exception {
    return runtime
        .submit(
            () -> {
              Sequence seq = model.newSequence(prompt.length + n + 1);
              int[] out = new int[n];
              int token = model.prefill(seq, prompt).argmax(0);
              for (int i = 0; i < n; i++) {
                out[i] = token;
                token = model.forward(seq, new int[] {token}).argmax(0);
              }
              return out;
            })
        .get();
  }

  @Test
  void proposalsFollowTheTrueContinuationAfterPartialAcceptance() throws Exception {
    int[] prompt = {1, 5, 9, 14, 3, 7};
    int[] reference = greedy(prompt, 60);
    DraftSession session = new ModelDrafter(model).open(prompt, SamplingParams.GREEDY);
    session.commit(0, reference[0]);
    int emitted = 1;
    SplittableRandom random = new SplittableRandom(3);
    while (emitted < 50) {
      int k = 1 + random.nextInt(5);
      DraftBlock block = session.propose(k).toCompletableFuture().get();
      assertArrayEquals(
          Arrays.copyOfRange(reference, emitted, emitted + k), block.tokens(), "at " + emitted);
      assertEquals(1f, block.probs()[0].prob(block.tokens()[0]), "greedy drafts are point masses");
      // A stand-in verifier that accepts a random prefix and then "corrects" with the reference.
      int kept = random.nextInt(k + 1);
      session.commit(kept, reference[emitted + kept]);
      emitted += kept + 1;
    }
    session.close();
  }

  @Test
  void anAdoptedPrefillDraftsExactlyLikeAnOwnOne() throws Exception {
    int[] prompt = {1, 5, 9, 14, 3, 7};
    int[] reference = greedy(prompt, 20);
    // Someone else (the router's complexity scoring) ran the prompt with logits for every row.
    Sequence scored = runtime.submit(() -> model.newSequence(64)).get();
    float[] last =
        runtime
            .submit(
                () ->
                    model
                        .forwardBatch(List.of(new SequenceInput(scored, prompt, true)))
                        .get(0)
                        .last())
            .get();
    ModelDrafter drafter = new ModelDrafter(model);
    DraftSession adopted = drafter.adopt(scored, last, SamplingParams.GREEDY);
    assertArrayEquals(
        Arrays.copyOfRange(reference, 0, 4),
        adopted.propose(4).toCompletableFuture().get().tokens());
    adopted.commit(2, reference[2]);
    assertArrayEquals(
        Arrays.copyOfRange(reference, 3, 8),
        adopted.propose(5).toCompletableFuture().get().tokens());
    adopted.close();

    Model other =
        runtime.load(
            Path.of("../model/src/test/resources/models/tiny-gqa-f32"), ModelOptions.DEFAULT);
    try {
      Sequence foreign = runtime.submit(() -> other.newSequence(8)).get();
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> drafter.adopt(foreign, last, SamplingParams.GREEDY));
      assertEquals("the prefilled sequence belongs to another model", e.getMessage());
    } finally {
      other.close();
    }
  }

  @Test
  void commitsWithoutProposalsInBetweenAccumulate() throws Exception {
    int[] prompt = {3, 1, 4, 1, 5};
    int[] reference = greedy(prompt, 12);
    DraftSession session = new ModelDrafter(model).open(prompt, SamplingParams.GREEDY);
    for (int i = 0; i < 5; i++) {
      session.commit(0, reference[i]); // plain-decoding steps: the loop does not call propose
    }
    assertArrayEquals(
        Arrays.copyOfRange(reference, 5, 9),
        session.propose(4).toCompletableFuture().get().tokens());
  }

  /**
   * Plain steps (commits with no proposal between them) wait in the loop's buffer instead of
   * posting a task each: with the model executor blocked they leave the session ready, and the
   * proposal after them is the true continuation. (Plain steps between drafting steps with drafting
   * ahead: {@link #draftingAheadKeepsProposalsOnTheTrueContinuation}.)
   */
  @Test
  void plainStepsPostNothingToTheModelExecutor() throws Exception {
    int[] prompt = {1, 5, 9, 14, 3, 7};
    int[] reference = greedy(prompt, 12);
    DraftSession session = new ModelDrafter(model, 4).open(prompt, SamplingParams.GREEDY);
    session.ready().toCompletableFuture().get();
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> blocker = occupyModelThread(release);
    for (int i = 0; i < 3; i++) {
      session.commit(0, reference[i]);
    }
    boolean readyWhileBlocked = session.ready().toCompletableFuture().isDone();
    release.countDown();
    blocker.get();
    assertTrue(readyWhileBlocked, "a plain commit waited for the model executor");
    assertArrayEquals(
        Arrays.copyOfRange(reference, 3, 7),
        session.propose(4).toCompletableFuture().get().tokens());
    session.close();
  }

  /**
   * A session of a drafter sharing the verifier's thread, and one opened lazily on a drafter with a
   * thread of its own, open without queueing their prefill: ready at once while the thread is busy,
   * and a request that never proposes never runs the draft model. The first proposal forwards the
   * prompt and the plain commits and drafts what a session that prefilled on open drafts.
   */
  @Test
  void lazySessionsPrefillWithTheirFirstProposal() throws Exception {
    int[] prompt = {1, 5, 9, 14, 3, 7};
    int[] reference = greedy(prompt, 12);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> blocker = occupyModelThread(release);
    List<DraftSession> lazy =
        List.of(
            ModelDrafter.sharingTheVerifiersThread(model).open(prompt, SamplingParams.GREEDY),
            new ModelDrafter(model, 4).openLazily(prompt, SamplingParams.GREEDY));
    DraftSession eager = new ModelDrafter(model, 4).open(prompt, SamplingParams.GREEDY);
    List<Boolean> lazyReady =
        lazy.stream().map(s -> s.ready().toCompletableFuture().isDone()).toList();
    boolean eagerReady = eager.ready().toCompletableFuture().isDone();
    release.countDown();
    blocker.get();
    assertEquals(List.of(true, true), lazyReady, "the lazy sessions queued no prefill");
    assertFalse(eagerReady, "the eager session's prefill is queued behind the busy thread");
    eager.ready().toCompletableFuture().get();
    int[] expected = Arrays.copyOfRange(reference, 3, 7);
    for (DraftSession session : concat(lazy, eager)) {
      for (int i = 0; i < 3; i++) {
        session.commit(0, reference[i]);
      }
      assertArrayEquals(expected, session.propose(4).toCompletableFuture().get().tokens());
      session.close();
    }
  }

  private static List<DraftSession> concat(List<DraftSession> sessions, DraftSession one) {
    List<DraftSession> all = new ArrayList<>(sessions);
    all.add(one);
    return all;
  }

  /**
   * A proposal's drafting time is the drafter's work for it, not the wait for its thread: queued
   * behind a task that holds the thread for a (controlled) second, the proposal's drafting, during
   * which the clock does not move, measures 0.
   */
  @Test
  void draftingTimeLeavesOutTheWaitForTheModelThread() throws Exception {
    int[] prompt = {2, 7, 1, 8};
    int[] reference = greedy(prompt, 8);
    AtomicLong now = new AtomicLong();
    DraftSession session =
        new ModelDrafter(model, 0, true, now::get).open(prompt, SamplingParams.GREEDY);
    session.ready().toCompletableFuture().get();
    assertEquals(-1, session.lastDraftingNanos(), "nothing proposed yet");
    session.commit(0, reference[0]);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> blocker = occupyModelThread(release);
    CompletableFuture<DraftBlock> block = session.propose(4).toCompletableFuture();
    now.addAndGet(1_000_000_000); // the proposal waits a second behind the blocker
    release.countDown();
    blocker.get();
    assertArrayEquals(Arrays.copyOfRange(reference, 1, 5), block.get().tokens());
    assertEquals(0, session.lastDraftingNanos(), "the second's wait is not drafting");
    session.close();
  }

  @Test
  void zeroKStillConsumesCommittedTokens() throws Exception {
    int[] prompt = {2, 4, 6};
    int[] reference = greedy(prompt, 10);
    DraftSession session = new ModelDrafter(model).open(prompt, SamplingParams.GREEDY);
    session.commit(0, reference[0]);
    assertEquals(0, session.propose(0).toCompletableFuture().get().size());
    session.commit(0, reference[1]);
    assertArrayEquals(
        Arrays.copyOfRange(reference, 2, 5),
        session.propose(3).toCompletableFuture().get().tokens());
  }

  /**
   * Drafting ahead changes nothing a proposal returns: with a stand-in verifier that accepts a
   * random prefix, or everything plus the drafter's own next token (so the continuation is kept),
   * every proposal is the reference continuation, also while earlier drafting ahead is cut short.
   */
  @Test
  void draftingAheadKeepsProposalsOnTheTrueContinuation() throws Exception {
    int[] prompt = {1, 5, 9, 14, 3, 7};
    int[] reference = greedy(prompt, 90);
    DraftSession session = new ModelDrafter(model, 8).open(prompt, SamplingParams.GREEDY);
    session.commit(0, reference[0]);
    int emitted = 1;
    SplittableRandom random = new SplittableRandom(11);
    while (emitted < 70) {
      int k = random.nextInt(6); // k = 0: a plain step, the loop commits without proposing
      if (k > 0) {
        DraftBlock block = session.propose(k).toCompletableFuture().get();
        assertArrayEquals(
            Arrays.copyOfRange(reference, emitted, emitted + k), block.tokens(), "at " + emitted);
      }
      int kept = random.nextBoolean() ? k : random.nextInt(k + 1);
      session.commit(kept, reference[emitted + kept]);
      emitted += kept + 1;
    }
    session.close();
  }

  /** Keeps the (one) model thread busy until {@code release} is counted down. */
  private static CompletableFuture<Void> occupyModelThread(CountDownLatch release) {
    return runtime.submit(
        () -> {
          release.await();
          return null;
        });
  }
}
