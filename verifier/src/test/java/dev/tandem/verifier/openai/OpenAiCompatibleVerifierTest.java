package dev.tandem.verifier.openai;

import static dev.tandem.verifier.openai.OpenAiTestSupport.await;
import static dev.tandem.verifier.openai.OpenAiTestSupport.greedyDecode;
import static dev.tandem.verifier.openai.OpenAiTestSupport.prompt;
import static dev.tandem.verifier.openai.OpenAiTestSupport.speculate;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Model;
import dev.tandem.model.ModelRuntime;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.Verdict;
import dev.tandem.speccore.VerifierSession;
import dev.tandem.verifier.openai.OpenAiTestSupport.Run;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Given a vLLM-style server over the tiny GQA model on a loopback port, speculative decoding
 * through {@link OpenAiCompatibleVerifier} yields exactly that model's own greedy output, whatever
 * the drafter, the draft length and the logprobs mode; sampling runs and says it is approximate.
 */
class OpenAiCompatibleVerifierTest {

  private static final String API_KEY = "test-key";
  private static final int MAX_TOKENS = 24;

  private static Vertx vertx;
  private static ModelRuntime serverRuntime;
  private static ModelRuntime draftRuntime;
  private static Model serverModel;
  private static LogprobsCompletionServer server;
  private static GreedyModelDrafter otherModelDrafter;
  private static GreedyModelDrafter corruptedSelfDrafter;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    serverRuntime = new ModelRuntime(1);
    draftRuntime = new ModelRuntime(1);
    serverModel = OpenAiTestSupport.load(serverRuntime, OpenAiTestSupport.SERVER_MODEL);
    int capacity = 128;
    otherModelDrafter =
        new GreedyModelDrafter(
            OpenAiTestSupport.load(draftRuntime, OpenAiTestSupport.OTHER_MODEL), capacity, 0);
    corruptedSelfDrafter =
        new GreedyModelDrafter(
            OpenAiTestSupport.load(draftRuntime, OpenAiTestSupport.SERVER_MODEL), capacity, 3);
    server = LogprobsCompletionServer.start(vertx, serverModel, API_KEY);
  }

  @AfterAll
  static void stop() {
    server.close();
    vertx.close().await();
    serverRuntime.close();
    draftRuntime.close();
  }

  private static OpenAiVerifierOptions options(LogprobsMode mode) {
    return OpenAiVerifierOptions.of(server.baseUrl(), "tiny-gqa")
        .withMode(mode)
        .withTopN(5)
        .withApiKey(API_KEY)
        .withTimeout(Duration.ofSeconds(10));
  }

  @ParameterizedTest
  @EnumSource(LogprobsMode.class)
  void greedyOutputIsTheServerModelsOwnGreedyOutput(LogprobsMode mode) {
    int acceptedFromSelf = 0;
    try (OpenAiCompatibleVerifier verifier = new OpenAiCompatibleVerifier(vertx, options(mode))) {
      for (int seed = 1; seed <= 3; seed++) {
        int[] prompt = prompt(seed, 4 + 3 * seed);
        int[] expected = greedyDecode(serverModel, prompt, MAX_TOKENS);
        for (int k = 1; k <= 4; k++) {
          for (GreedyModelDrafter drafter : List.of(otherModelDrafter, corruptedSelfDrafter)) {
            Run run =
                await(speculate(verifier, drafter, prompt, SamplingParams.GREEDY, k, MAX_TOKENS));
            String what = mode + " prompt " + seed + " k=" + k + " " + drafter.name();
            assertArrayEquals(expected, run.tokens(), what);
            if (drafter == corruptedSelfDrafter) {
              acceptedFromSelf += run.result().draftTokensAccepted();
            }
          }
        }
      }
    }
    // The corrupted self-drafter is right 2 times in 3: partial and full accepts both happened.
    assertTrue(acceptedFromSelf > 0, "no draft token was ever accepted");
  }

  @ParameterizedTest
  @EnumSource(LogprobsMode.class)
  void eachCallSendsTheWholeSequenceAndAsksForTheModesLogprobs(LogprobsMode mode) {
    int[] prompt = prompt(7, 5);
    int[] expected = greedyDecode(serverModel, prompt, 3);
    try (OpenAiCompatibleVerifier verifier = new OpenAiCompatibleVerifier(vertx, options(mode))) {
      server.requests().clear();
      VerifierSession session = await(verifier.open(prompt, SamplingParams.GREEDY, 20));
      assertEquals(expected[0], session.firstToken());
      // A right draft token, then a wrong one: accept 1, correct the second.
      int wrong = (expected[2] + 1) % 272;
      Verdict verdict = await(session.verify(DraftBlock.greedy(new int[] {expected[1], wrong})));
      assertEquals(new Verdict(1, expected[2]), verdict);

      List<JsonObject> requests = server.requests();
      assertEquals(2, requests.size());
      JsonObject open = requests.get(0);
      assertEquals(
          new JsonArray(IntStream.of(prompt).boxed().toList()), open.getJsonArray("prompt"));
      assertNull(open.getValue("prompt_logprobs"), "open needs no prompt logprobs");
      assertNull(open.getValue("echo"));
      JsonObject verify = requests.get(1);
      int[] sent =
          IntStream.concat(IntStream.of(prompt), IntStream.of(expected[0], expected[1], wrong))
              .toArray();
      assertEquals(
          new JsonArray(IntStream.of(sent).boxed().toList()), verify.getJsonArray("prompt"));
      assertEquals(1, verify.getInteger("max_tokens"));
      assertEquals(5, verify.getInteger("logprobs"));
      assertEquals(true, verify.getBoolean("return_tokens_as_token_ids"));
      if (mode == LogprobsMode.PROMPT_LOGPROBS) {
        assertEquals(5, verify.getInteger("prompt_logprobs"));
        assertNull(verify.getValue("echo"));
      } else {
        assertEquals(true, verify.getBoolean("echo"));
        assertNull(verify.getValue("prompt_logprobs"));
      }
      session.close();
    }
  }

  @Test
  void samplingRunsAndIsReportedApproximate() {
    SamplingParams params = new SamplingParams(0.8f, 0.95f, 0, 42);
    int[] prompt = prompt(2, 8);
    try (OpenAiCompatibleVerifier verifier =
        new OpenAiCompatibleVerifier(vertx, options(LogprobsMode.PROMPT_LOGPROBS))) {
      assertFalse(verifier.exactForSampling());
      assertEquals("tiny-gqa@openai-approx-top5", verifier.name());

      Run first = await(speculate(verifier, corruptedSelfDrafter, prompt, params, 3, 16));
      Run again = await(speculate(verifier, corruptedSelfDrafter, prompt, params, 3, 16));

      assertTrue(first.tokens().length > 0, "no tokens were produced");
      assertTrue(IntStream.of(first.tokens()).allMatch(t -> t > 0 && t < 272));
      assertArrayEquals(first.tokens(), again.tokens(), "the same seed must give the same tokens");
    }
  }
}
