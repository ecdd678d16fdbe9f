package dev.tandem.verifier.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine's session rules without a network: positions, limits, accounting, the reaper. */
class SessionEngineTest {

  private static ModelRuntime runtime;
  private static Model model;

  @BeforeAll
  static void load() throws Exception {
    runtime = new ModelRuntime(1);
    model =
        runtime.load(
            Path.of("../model/src/test/resources/models/tiny-gqa-f32"), ModelOptions.DEFAULT);
  }

  @AfterAll
  static void unload() {
    model.close();
    runtime.close();
  }

  private static SessionEngine engine(EngineOptions options) {
    return new SessionEngine(new ModelScoring("tiny", model), options);
  }

  private static Throwable failure(CompletableFuture<?> future) {
    return assertThrows(CompletionException.class, future::join).getCause();
  }

  @Test
  void aVerifyAdvancesThePositionByOnePlusTheAcceptedTokens() {
    try (SessionEngine engine = engine(EngineOptions.DEFAULTS)) {
      OpenResult opened = engine.open(new int[] {5, 6, 7}, SamplingParams.GREEDY, 40).join();
      assertEquals(3, opened.position());
      VerifyResult plain =
          engine.verify(opened.sessionId(), 3, opened.firstToken(), DraftBlock.empty()).join();
      assertEquals(4, plain.position());
      assertEquals(0, plain.verdict().acceptedCount());
      int next = plain.verdict().nextToken();
      assertEquals(1, engine.openSessions());
      assertTrue(engine.closeSession(opened.sessionId()));
      assertFalse(engine.closeSession(opened.sessionId()), "close is idempotent");
      assertEquals(0, engine.openSessions());
      assertEquals(0, engine.reservedKvTokens());
      assertInstanceOf(
          SessionClosedException.class,
          failure(engine.verify(opened.sessionId(), 4, next, DraftBlock.empty())));
    }
  }

  @Test
  void aWrongPositionOrLastTokenIsAPositionMismatchThatEndsTheSession() {
    try (SessionEngine engine = engine(EngineOptions.DEFAULTS)) {
      OpenResult opened = engine.open(new int[] {5, 6, 7}, SamplingParams.GREEDY, 40).join();
      Throwable wrongPosition =
          failure(engine.verify(opened.sessionId(), 2, opened.firstToken(), DraftBlock.empty()));
      assertInstanceOf(PositionMismatchException.class, wrongPosition);
      assertTrue(
          wrongPosition.getMessage().contains("length 3, got 2"), wrongPosition.getMessage());
      assertEquals(0, engine.openSessions(), "a failed call frees its session");

      OpenResult again = engine.open(new int[] {5, 6, 7}, SamplingParams.GREEDY, 40).join();
      Throwable wrongToken =
          failure(
              engine.verify(
                  again.sessionId(),
                  3,
                  (again.firstToken() + 1) % model.config().vocabSize(),
                  DraftBlock.empty()));
      assertInstanceOf(PositionMismatchException.class, wrongToken);
      assertEquals(0, engine.openSessions());
    }
  }

  @Test
  void limitsRefuseOpensWithTheirNameAndFreeOnClose() {
    try (SessionEngine engine =
        engine(EngineOptions.DEFAULTS.withMaxSessions(2).withMaxKvTokens(1_000))) {
      OpenResult a = engine.open(new int[] {5}, SamplingParams.GREEDY, 30).join();
      OpenResult b = engine.open(new int[] {5}, SamplingParams.GREEDY, 30).join();
      assertEquals(2 * (30 + DraftBlock.MAX_DRAFT), engine.reservedKvTokens());
      Throwable sessions = failure(engine.open(new int[] {5}, SamplingParams.GREEDY, 30));
      assertInstanceOf(CapacityExceededException.class, sessions);
      assertTrue(sessions.getMessage().contains("max-sessions"), sessions.getMessage());
      engine.closeSession(a.sessionId());
      engine.closeSession(b.sessionId());
      assertEquals(0, engine.reservedKvTokens());
    }
    try (SessionEngine engine = engine(EngineOptions.DEFAULTS.withMaxKvTokens(100))) {
      engine.open(new int[] {5}, SamplingParams.GREEDY, 60).join(); // 76 positions
      Throwable kv = failure(engine.open(new int[] {5}, SamplingParams.GREEDY, 30));
      assertInstanceOf(CapacityExceededException.class, kv);
      assertTrue(kv.getMessage().contains("max-kv-tokens"), kv.getMessage());
    }
  }

  @Test
  void badInputIsAnIllegalArgumentNamingTheField() {
    try (SessionEngine engine = engine(EngineOptions.DEFAULTS)) {
      assertTrue(
          failure(engine.open(new int[0], SamplingParams.GREEDY, 10))
              .getMessage()
              .contains("prompt_tokens"));
      assertTrue(
          failure(engine.open(new int[] {model.config().vocabSize()}, SamplingParams.GREEDY, 10))
              .getMessage()
              .contains("prompt_tokens"));
      assertTrue(
          failure(engine.open(new int[] {1, 2, 3}, SamplingParams.GREEDY, 3))
              .getMessage()
              .contains("max_length"));
      OpenResult opened = engine.open(new int[] {5}, SamplingParams.GREEDY, 2).join();
      // Capacity: max_length 2 + 16 positions of draft slack = 18. A plain step brings the
      // session to position 2; 1 + 16 more tokens would need 19.
      VerifyResult step =
          engine.verify(opened.sessionId(), 1, opened.firstToken(), DraftBlock.empty()).join();
      Throwable overCapacity =
          failure(
              engine.verify(
                  opened.sessionId(),
                  2,
                  step.verdict().nextToken(),
                  DraftBlock.greedy(new int[DraftBlock.MAX_DRAFT])));
      assertInstanceOf(IllegalArgumentException.class, overCapacity);
      assertTrue(overCapacity.getMessage().contains("at most 18"), overCapacity.getMessage());
      assertEquals(0, engine.openSessions());
    }
  }

  @Test
  void theReaperFreesAnIdleSession() throws Exception {
    try (SessionEngine engine =
        engine(EngineOptions.DEFAULTS.withIdleTimeout(Duration.ofMillis(100)))) {
      CompletableFuture<Long> reaped = new CompletableFuture<>();
      engine.onReaped(reaped::complete);
      OpenResult opened = engine.open(new int[] {5}, SamplingParams.GREEDY, 10).join();
      // The listener is told after the session is freed: once it heard, the engine holds nothing.
      assertEquals(opened.sessionId(), reaped.get(30, TimeUnit.SECONDS));
      assertEquals(0, engine.openSessions());
      assertEquals(0, engine.reservedKvTokens());
    }
  }

  @Test
  void aResumedSessionContinuesExactlyWhereTheFirstStood() {
    for (SamplingParams params :
        new SamplingParams[] {SamplingParams.GREEDY, new SamplingParams(1f, 1f, 8, 99)}) {
      try (SessionEngine engine = engine(EngineOptions.DEFAULTS)) {
        int[] prompt = {5, 6, 7, 8};
        // The first session: open, then plain steps; the sequence is prompt + emitted tokens.
        OpenResult first = engine.open(prompt, params, 40).join();
        int[] sequence = java.util.Arrays.copyOf(prompt, 40);
        int length = prompt.length;
        sequence[length++] = first.firstToken();
        int position = first.position();
        for (int step = 0; step < 4; step++) {
          VerifyResult r =
              engine
                  .verify(first.sessionId(), position, sequence[length - 1], DraftBlock.empty())
                  .join();
          sequence[length++] = r.verdict().nextToken();
          position = r.position();
        }
        // The replacement opens at the same place, and both give the same next verdicts.
        OpenResult resumed =
            engine.resume(java.util.Arrays.copyOf(sequence, length), params, 40).join();
        assertEquals(position, resumed.position());
        assertEquals(sequence[length - 1], resumed.firstToken());
        int last = sequence[length - 1];
        int at = position;
        for (int step = 0; step < 4; step++) {
          DraftBlock draft = DraftBlock.greedy(new int[] {1 + step, 2 + step});
          VerifyResult a = engine.verify(first.sessionId(), at, last, draft).join();
          VerifyResult b = engine.verify(resumed.sessionId(), at, last, draft).join();
          assertEquals(a.verdict(), b.verdict(), params + " step " + step);
          assertEquals(a.position(), b.position(), params + " step " + step);
          last = a.verdict().nextToken();
          at = a.position();
        }
      }
    }
  }

  @Test
  void aResumeNeedsThePromptAndTheLastToken() {
    try (SessionEngine engine = engine(EngineOptions.DEFAULTS)) {
      Throwable e = failure(engine.resume(new int[] {5}, SamplingParams.GREEDY, 10));
      assertInstanceOf(IllegalArgumentException.class, e);
      assertTrue(e.getMessage().contains("last emitted token"), e.getMessage());
      assertEquals(0, engine.openSessions());
    }
  }
}
