package dev.tandem.verifier.openai;

import static dev.tandem.verifier.openai.OpenAiTestSupport.await;
import static dev.tandem.verifier.openai.OpenAiTestSupport.failure;
import static dev.tandem.verifier.openai.OpenAiTestSupport.prompt;
import static dev.tandem.verifier.openai.OpenAiTestSupport.speculate;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Model;
import dev.tandem.model.ModelRuntime;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.VerifierException;
import dev.tandem.speccore.VerifierSession;
import dev.tandem.verifier.client.BreakerState;
import dev.tandem.verifier.client.BreakerStatus;
import dev.tandem.verifier.client.CircuitBreakerOptions;
import dev.tandem.verifier.client.VerifierUnavailableException;
import dev.tandem.verifier.openai.LogprobsCompletionServer.Fault;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Given a server that breaks after the session opened (error status, bad body, missing logprobs,
 * silence, a dropped connection, gone), expect the step's stage to fail with an exception that
 * names the endpoint and what was wrong; and a speculation loop to fail with it.
 */
class OpenAiVerifierFailureTest {

  private static final DraftBlock DRAFT = DraftBlock.greedy(new int[] {5, 6});

  private static Vertx vertx;
  private static ModelRuntime runtime;
  private static Model model;
  private LogprobsCompletionServer server;
  private OpenAiCompatibleVerifier verifier;

  @BeforeAll
  static void loadModel() {
    vertx = Vertx.vertx();
    runtime = new ModelRuntime(1);
    model = OpenAiTestSupport.load(runtime, OpenAiTestSupport.SERVER_MODEL);
  }

  @AfterAll
  static void closeAll() {
    vertx.close().await();
    runtime.close();
  }

  @BeforeEach
  void startServer() {
    server = LogprobsCompletionServer.start(vertx, model, null);
    verifier = verifier(LogprobsMode.PROMPT_LOGPROBS, Duration.ofSeconds(10));
  }

  @AfterEach
  void stopServer() {
    verifier.close();
    server.close();
  }

  private OpenAiCompatibleVerifier verifier(LogprobsMode mode, Duration timeout) {
    return new OpenAiCompatibleVerifier(
        vertx,
        OpenAiVerifierOptions.of(server.baseUrl(), "tiny-gqa").withMode(mode).withTimeout(timeout));
  }

  private VerifierSession open(OpenAiCompatibleVerifier v) {
    return await(v.open(prompt(1, 6), SamplingParams.GREEDY, 32));
  }

  private String endpoint() {
    return server.baseUrl() + "/v1/completions";
  }

  /** Opens a session, lets the fault start, and returns how the next verify failed. */
  private Throwable verifyFailsWith(Fault fault) {
    VerifierSession session = open(verifier);
    server.failAfter(0, fault);
    return failure(session.verify(DRAFT));
  }

  @Test
  void anHttpErrorFailsTheLoopNamingTheEndpointStatusAndBody() {
    server.failAfter(1, Fault.HTTP_500); // the open succeeds, the first step does not
    GreedyModelDrafter drafter = new GreedyModelDrafter(model, 64, 0);
    Throwable e = failure(speculate(verifier, drafter, prompt(2, 6), SamplingParams.GREEDY, 2, 10));
    BackendResponseException error = assertInstanceOf(BackendResponseException.class, e);
    assertEquals(500, error.httpStatus());
    assertTrue(e.getMessage().startsWith("POST " + endpoint() + ": HTTP 500"), e.getMessage());
    assertTrue(e.getMessage().contains("illegal memory access"), e.getMessage());
  }

  @Test
  void aBodyThatIsNotJsonFailsTheStep() {
    Throwable e = verifyFailsWith(Fault.MALFORMED_JSON);
    assertInstanceOf(BackendResponseException.class, e);
    assertTrue(e.getMessage().contains(endpoint()), e.getMessage());
    assertTrue(e.getMessage().contains("not a JSON object"), e.getMessage());
  }

  @Test
  void missingLogprobsFailTheStep() {
    Throwable e = verifyFailsWith(Fault.NO_LOGPROBS);
    assertInstanceOf(BackendResponseException.class, e);
    assertTrue(e.getMessage().contains("choices[0].logprobs is missing"), e.getMessage());
  }

  @Test
  void missingPromptLogprobsFailTheStepAndSuggestEcho() {
    Throwable e = verifyFailsWith(Fault.NO_PROMPT_LOGPROBS);
    assertInstanceOf(BackendResponseException.class, e);
    assertTrue(e.getMessage().contains(endpoint()), e.getMessage());
    assertTrue(e.getMessage().contains("prompt_logprobs is missing"), e.getMessage());
    assertTrue(e.getMessage().contains("logprobs_mode: echo"), e.getMessage());
  }

  @Test
  void tokensAsTextInsteadOfIdsFailTheStep() {
    Throwable e = verifyFailsWith(Fault.TOKENS_AS_TEXT);
    assertInstanceOf(BackendResponseException.class, e);
    assertTrue(e.getMessage().contains("return_tokens_as_token_ids"), e.getMessage());
  }

  @Test
  void aDroppedConnectionMakesTheVerifierUnavailable() {
    Throwable e = verifyFailsWith(Fault.CLOSE_CONNECTION);
    assertInstanceOf(VerifierUnavailableException.class, e);
    assertTrue(e.getMessage().startsWith("POST " + endpoint() + ": no response"), e.getMessage());
  }

  @Test
  void aSilentServerTimesOut() {
    try (OpenAiCompatibleVerifier impatient = verifier(LogprobsMode.ECHO, Duration.ofMillis(300))) {
      open(verifier).close(); // warm: the short timeout is for the silence, not a cold forward
      VerifierSession session = open(impatient);
      server.failAfter(0, Fault.SILENT);
      Throwable e = failure(session.verify(DRAFT));
      assertInstanceOf(VerifierUnavailableException.class, e);
      assertEquals("POST " + endpoint() + ": no response within 300 ms", e.getMessage());
    }
  }

  @Test
  void aServerThatIsGoneMakesTheVerifierUnavailable() {
    // Refused, reset or never answered (a kept-alive connection may outlive the close): all are
    // "no response", within the timeout at the latest.
    try (OpenAiCompatibleVerifier quick =
        verifier(LogprobsMode.PROMPT_LOGPROBS, Duration.ofSeconds(2))) {
      // The session opens with the patient verifier: a first forward on a cold, busy machine can
      // take longer than the short timeout, which is only for the server that is gone.
      VerifierSession warm = open(verifier);
      warm.close();
      VerifierSession session = await(quick.open(prompt(1, 6), SamplingParams.GREEDY, 32));
      server.close();
      Throwable e = failure(session.verify(DRAFT));
      assertInstanceOf(VerifierUnavailableException.class, e);
      assertTrue(e.getMessage().startsWith("POST " + endpoint() + ": no response"), e.getMessage());
    }
  }

  @Test
  void aWrongApiKeyFailsTheOpenWithItsStatus() {
    try (LogprobsCompletionServer guarded = LogprobsCompletionServer.start(vertx, model, "right");
        OpenAiCompatibleVerifier wrong =
            new OpenAiCompatibleVerifier(
                vertx,
                OpenAiVerifierOptions.of(guarded.baseUrl(), "tiny-gqa").withApiKey("wrong"))) {
      Throwable e = failure(wrong.open(prompt(1, 6), SamplingParams.GREEDY, 32));
      BackendResponseException error = assertInstanceOf(BackendResponseException.class, e);
      assertEquals(401, error.httpStatus());
      assertTrue(e.getMessage().contains(guarded.baseUrl() + "/v1/completions"), e.getMessage());
    }
  }

  @Test
  void aClosedSessionRefusesToVerify() {
    VerifierSession session = open(verifier);
    session.close();
    session.close(); // idempotent
    assertInstanceOf(IllegalStateException.class, failure(session.verify(DRAFT)));
  }

  @Test
  void aFailingServerIsReplacedByTheNextBaseUrlAndTheOutputStaysExact() {
    try (LogprobsCompletionServer backup = LogprobsCompletionServer.start(vertx, model, null);
        OpenAiCompatibleVerifier failingOver =
            new OpenAiCompatibleVerifier(
                vertx,
                OpenAiVerifierOptions.of(server.baseUrl(), "tiny-gqa")
                    .withFallbackBaseUrls(List.of(backup.baseUrl())))) {
      int[] prompt = prompt(3, 6);
      int[] expected = OpenAiTestSupport.greedyDecode(model, prompt, 24);
      server.failAfter(3, Fault.HTTP_500); // the open and two steps, then the first server fails
      GreedyModelDrafter drafter = new GreedyModelDrafter(model, 64, 0);
      int[] tokens =
          await(speculate(failingOver, drafter, prompt, SamplingParams.GREEDY, 3, 24)).tokens();
      assertArrayEquals(expected, tokens);

      backup.failAfter(0, Fault.CLOSE_CONNECTION); // now both fail: the last failure is reported
      Throwable e = failure(failingOver.open(prompt, SamplingParams.GREEDY, 32));
      assertInstanceOf(VerifierUnavailableException.class, e);
      assertTrue(e.getMessage().contains(backup.baseUrl()), e.getMessage());
    }
  }

  @Test
  void aRefusedRequestIsNotRetriedElsewhere() {
    try (LogprobsCompletionServer backup = LogprobsCompletionServer.start(vertx, model, null);
        OpenAiCompatibleVerifier failingOver =
            new OpenAiCompatibleVerifier(
                vertx,
                OpenAiVerifierOptions.of(server.baseUrl(), "tiny-gqa")
                    .withFallbackBaseUrls(List.of(backup.baseUrl())))) {
      Throwable e = failure(failingOver.open(new int[] {5000}, SamplingParams.GREEDY, 32));
      assertTrue(e instanceof VerifierException v && !v.replaceable(), String.valueOf(e));
      assertTrue(e.getMessage().contains(server.baseUrl()), e.getMessage());
    }
  }

  @Test
  void aServerThatKeepsFailingIsSkippedWhileItsCircuitIsOpen() {
    CircuitBreakerOptions twoFailures = new CircuitBreakerOptions(2, Duration.ofHours(1));
    try (LogprobsCompletionServer backup = LogprobsCompletionServer.start(vertx, model, null);
        OpenAiCompatibleVerifier failingOver =
            new OpenAiCompatibleVerifier(
                vertx,
                OpenAiVerifierOptions.of(server.baseUrl(), "tiny-gqa")
                    .withFallbackBaseUrls(List.of(backup.baseUrl()))
                    .withBreaker(twoFailures))) {
      server.failAfter(0, Fault.HTTP_500);
      for (int i = 0; i < 5; i++) {
        await(failingOver.open(prompt(1, 6), SamplingParams.GREEDY, 32)).close();
      }
      assertEquals(2, server.calls(), "two failures opened its circuit: no calls after them");
      assertEquals(5, backup.calls());
      assertEquals(
          List.of(
              new BreakerStatus(server.baseUrl(), BreakerState.OPEN, 2),
              new BreakerStatus(backup.baseUrl(), BreakerState.CLOSED, 0)),
          failingOver.breakerStatus());
    }
  }

  @Test
  void aLoneServerWithAnOpenCircuitFailsFastAsUnavailable() {
    try (OpenAiCompatibleVerifier lone =
        new OpenAiCompatibleVerifier(
            vertx,
            OpenAiVerifierOptions.of(server.baseUrl(), "tiny-gqa")
                .withBreaker(new CircuitBreakerOptions(1, Duration.ofHours(1))))) {
      server.failAfter(0, Fault.CLOSE_CONNECTION);
      assertInstanceOf(
          VerifierUnavailableException.class,
          failure(lone.open(prompt(1, 6), SamplingParams.GREEDY, 32)));
      int calls = server.calls();
      Throwable fast = failure(lone.open(prompt(1, 6), SamplingParams.GREEDY, 32));
      assertInstanceOf(VerifierUnavailableException.class, fast);
      assertTrue(fast.getMessage().contains("circuit open"), fast.getMessage());
      assertEquals(calls, server.calls(), "no call while the circuit is open");
    }
  }
}
