package dev.tandem.speccore;

import static dev.tandem.speccore.LoopFixture.PROMPT;
import static dev.tandem.speccore.LoopFixture.TARGET;
import static dev.tandem.speccore.LoopFixture.await;
import static dev.tandem.speccore.LoopFixture.builder;
import static dev.tandem.speccore.LoopFixture.greedy;
import static dev.tandem.speccore.LoopFixture.prefix;
import static dev.tandem.speccore.LoopFixture.verifierSession;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How a speculation loop ends and what it reports, given greedy fixture models. */
class SpeculationLoopTest {

  @Test
  void theLastStepIsTruncatedToMaxTokens() throws Exception {
    TestVerifier verifier = new TestVerifier(TARGET, null);
    LoopFixture.ScriptedSink sink = new LoopFixture.ScriptedSink(-1, null);

    LoopResult result =
        await(
            builder(TestDrafter.alwaysRight(TARGET, null), verifierSession(verifier), sink)
                .chooser(DraftLengthChooser.fixed(4))
                .maxTokens(7)
                .build()
                .start());

    assertArrayEquals(greedy(7), sink.tokens());
    assertArrayEquals(new int[] {1, 5, 1}, sink.sizes()); // first token, 4 + 1, then cut to 1
    assertEquals(FinishReason.LENGTH, result.reason());
    assertEquals(7, result.generatedTokens());
    assertEquals(2, result.verifierCalls());
    assertEquals(10, result.verifierPositionsScored());
    assertEquals(1, result.steps().get(1).emitted());
  }

  @Test
  void withoutKeptStepsTheTotalsAreTheSameAndTheStepListIsEmpty() throws Exception {
    LoopResult kept = runFixedK(true);
    LoopResult totalsOnly = runFixedK(false);

    assertEquals(kept.steps().size(), totalsOnly.verifierCalls());
    assertEquals(kept.verifierCalls(), totalsOnly.verifierCalls());
    assertEquals(kept.generatedTokens(), totalsOnly.generatedTokens());
    assertEquals(kept.draftTokensProposed(), totalsOnly.draftTokensProposed());
    assertEquals(kept.draftTokensAccepted(), totalsOnly.draftTokensAccepted());
    assertEquals(kept.verifierPositionsScored(), totalsOnly.verifierPositionsScored());
    assertEquals(List.of(), totalsOnly.steps());
  }

  private static LoopResult runFixedK(boolean keepSteps) throws Exception {
    return await(
        builder(
                TestDrafter.alwaysRight(TARGET, null),
                verifierSession(new TestVerifier(TARGET, null)),
                new CollectingSink())
            .chooser(DraftLengthChooser.fixed(3))
            .maxTokens(30)
            .keepSteps(keepSteps)
            .build()
            .start());
  }

  @Test
  void eosIsNotEmittedAndEverythingAfterItIsDropped() throws Exception {
    int[] expected = greedy(40);
    int eosAt = firstFreshTokenIndex(expected, 2); // mid-step: the step covers tokens 1..9
    CollectingSink sink = new CollectingSink();

    LoopResult result =
        await(
            builder(
                    TestDrafter.alwaysRight(TARGET, null),
                    verifierSession(new TestVerifier(TARGET, null)),
                    sink)
                .chooser(DraftLengthChooser.fixed(8))
                .maxTokens(40)
                .eosTokens(-1, expected[eosAt]) // the EOS met is not the first in the list
                .build()
                .start());

    assertEquals(FinishReason.EOS, result.reason());
    assertArrayEquals(prefix(expected, eosAt), sink.tokens());
    assertEquals(eosAt, result.generatedTokens());
  }

  @Test
  void repeatedEosTokensAreRefusedWithTheField() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> SpeculationLoop.builder().eosTokens(2, 7, 2));
    assertEquals("eosTokens must be distinct, got [2, 7, 2]", e.getMessage());
  }

  @Test
  void anEosFirstTokenEndsTheLoopWithNothingEmitted() throws Exception {
    TestDrafter drafter = TestDrafter.alwaysRight(TARGET, null);
    TestVerifier verifier = new TestVerifier(TARGET, null);
    CollectingSink sink = new CollectingSink();

    LoopResult result =
        await(
            builder(drafter, verifierSession(verifier), sink)
                .maxTokens(10)
                .eosTokens(greedy(1)[0], 99)
                .build()
                .start());

    assertEquals(FinishReason.EOS, result.reason());
    assertEquals(0, result.generatedTokens());
    assertEquals(0, sink.calls.size());
    assertEquals(0, verifier.verifyCalls.get());
    assertEquals(1, drafter.closes.get());
    assertEquals(1, verifier.closes.get());
  }

  @Test
  void aSinkStopEndsTheLoopBeforeAnotherProposal() throws Exception {
    TestDrafter drafter = TestDrafter.alwaysRight(TARGET, null);
    TestVerifier verifier = new TestVerifier(TARGET, null);
    var sink = new LoopFixture.ScriptedSink(2, CompletableFuture.completedFuture(SinkSignal.STOP));

    LoopResult result =
        await(
            builder(drafter, verifierSession(verifier), sink)
                .chooser(DraftLengthChooser.fixed(3))
                .maxTokens(40)
                .build()
                .start());

    assertEquals(FinishReason.STOP, result.reason());
    assertEquals(5, result.generatedTokens());
    assertEquals(1, drafter.proposes.get());
    assertEquals(1, drafter.closes.get());
    assertEquals(1, verifier.closes.get());
  }

  @Test
  void bothSessionsAdvanceByExactlyTheEmittedTokens() throws Exception {
    TestDrafter drafter =
        TestDrafter.fromTable(TARGET.perturbed(2.5, 3), SamplingParams.GREEDY, null);
    TestVerifier verifier = new TestVerifier(TARGET, null);
    TestVerifier.Session session = verifierSession(verifier);
    CollectingSink sink = new CollectingSink();

    await(
        builder(drafter, session, sink)
            .chooser(DraftLengthChooser.fixed(5))
            .maxTokens(30)
            .build()
            .start());

    List<Integer> expected = new ArrayList<>(List.of(PROMPT[0], PROMPT[1]));
    IntStream.of(sink.tokens()).forEach(expected::add);
    assertEquals(expected, drafter.lastSession().context);
    assertEquals(expected, session.context);
  }

  @Test
  void stepTimesComeFromTheInjectedClock() throws Exception {
    AtomicLong now = new AtomicLong();
    LoopResult result =
        await(
            builder(
                    TestDrafter.alwaysWrong(TARGET, null),
                    verifierSession(new TestVerifier(TARGET, null)),
                    new CollectingSink())
                .chooser(DraftLengthChooser.fixed(2))
                .maxTokens(5)
                .clock(() -> now.addAndGet(100))
                .build()
                .start());

    // Each stage reads the clock once when called and once when it completes.
    for (StepRecord step : result.steps()) {
      assertEquals(100, step.draftNanos());
      assertEquals(100, step.verifyNanos());
      assertEquals(100, step.draftingNanos(), "a drafter that does not measure: the whole stage");
    }
    assertEquals(100L * result.verifierCalls(), result.verifyNanos());
  }

  @Test
  void aStepCarriesTheDraftersOwnDraftingTimeWithinItsDraftStage() throws Exception {
    assertEquals(List.of(30L, 30L), draftingTimes(30)); // stage 100: 70 waiting or catching up
    assertEquals(List.of(100L, 100L), draftingTimes(500)); // never more than the stage
  }

  /** draftingNanos of each step when the session says it drafted for {@code reported} ns. */
  private static List<Long> draftingTimes(long reported) throws Exception {
    TestDrafter.Session inner =
        TestDrafter.alwaysWrong(TARGET, null).open(PROMPT, SamplingParams.GREEDY);
    DraftSession measuring =
        new DraftSession() {
          @Override
          public CompletionStage<DraftBlock> propose(int k) {
            return inner.propose(k);
          }

          @Override
          public long lastDraftingNanos() {
            return reported;
          }

          @Override
          public void commit(int keptDraftTokens, int nextToken) {
            inner.commit(keptDraftTokens, nextToken);
          }

          @Override
          public void close() {
            inner.close();
          }
        };
    AtomicLong now = new AtomicLong();
    LoopResult result =
        await(
            SpeculationLoop.builder()
                .draft(measuring)
                .verifier(verifierSession(new TestVerifier(TARGET, null)))
                .sink(new CollectingSink())
                .chooser(DraftLengthChooser.fixed(2))
                .maxTokens(3)
                .clock(() -> now.addAndGet(100))
                .build()
                .start());
    return result.steps().stream().map(StepRecord::draftingNanos).toList();
  }

  @Test
  void acceptanceAndTheChooserSeeEveryStep() throws Exception {
    List<StepRecord> observed = new ArrayList<>();
    List<LoopState> states = new ArrayList<>();
    DraftLengthChooser recording =
        new DraftLengthChooser() {
          @Override
          public int chooseK(LoopState state) {
            states.add(state);
            return 100; // capped at MAX_DRAFT
          }

          @Override
          public void observe(StepRecord step) {
            observed.add(step);
          }
        };
    RequestAcceptance acceptance = new AcceptanceStats(0.5, 10, 1).forRequest();

    LoopResult result =
        await(
            builder(
                    TestDrafter.alwaysRight(TARGET, null),
                    verifierSession(new TestVerifier(TARGET, null)),
                    new CollectingSink())
                .chooser(recording)
                .acceptance(acceptance)
                .maxTokens(40)
                .build()
                .start());

    assertEquals(result.steps(), observed);
    assertEquals(DraftBlock.MAX_DRAFT, observed.get(0).requestedK());
    assertEquals(3, states.size());
    assertEquals(1 + 17, states.get(1).generatedTokens());
    assertEquals(48, acceptance.trials());
    assertTrue(acceptance.alpha() > 0.9, "alpha " + acceptance.alpha());
    assertTrue(states.get(2).alpha() > states.get(0).alpha());
  }

  @Test
  void aNegativeKFailsTheLoopWithAClearMessage() {
    TestVerifier verifier = new TestVerifier(TARGET, null);
    var loop =
        builder(
                TestDrafter.alwaysRight(TARGET, null),
                verifierSession(verifier),
                new CollectingSink())
            .chooser(state -> -1)
            .maxTokens(10)
            .build();

    var failure =
        assertThrows(java.util.concurrent.ExecutionException.class, () -> await(loop.start()));
    assertTrue(failure.getCause().getMessage().contains("chooseK must return k >= 0"));
    assertEquals(1, verifier.closes.get());
  }

  @Test
  void theBuilderNamesWhatIsMissing() {
    var noSink =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SpeculationLoop.builder()
                    .draft(
                        TestDrafter.alwaysRight(TARGET, null).open(PROMPT, SamplingParams.GREEDY))
                    .verifier(verifierSession(new TestVerifier(TARGET, null)))
                    .maxTokens(3)
                    .build());
    assertEquals("sink must be set", noSink.getMessage());
    var noTokens =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                builder(
                        TestDrafter.alwaysRight(TARGET, null),
                        verifierSession(new TestVerifier(TARGET, null)),
                        new CollectingSink())
                    .build());
    assertEquals("maxTokens must be >= 1, got 0", noTokens.getMessage());
  }

  /** Index of the first token at or after {@code from} that did not occur earlier. */
  private static int firstFreshTokenIndex(int[] tokens, int from) {
    for (int i = from; i < tokens.length; i++) {
      final int token = tokens[i];
      if (IntStream.range(0, i).noneMatch(j -> tokens[j] == token)) {
        return i;
      }
    }
    throw new AssertionError("fixture has no fresh token after " + from);
  }
}
