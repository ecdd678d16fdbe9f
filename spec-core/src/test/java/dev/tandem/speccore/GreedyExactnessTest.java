package dev.tandem.speccore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * At temperature 0 speculation must reproduce plain greedy decoding of the target token for token,
 * whatever the draft quality, k, and whether stages complete synchronously or on another thread.
 */
class GreedyExactnessTest {

  private static final int VOCAB = 12;
  private static final int MAX_TOKENS = 40;
  private static final MarkovTable TARGET = MarkovTable.random(VOCAB, 3.0, 42);
  private static final ExecutorService POOL = Executors.newFixedThreadPool(2);

  @AfterAll
  static void stopPool() {
    POOL.shutdownNow();
  }

  record Scenario(String draft, int k, boolean draftAsync, boolean verifierAsync) {
    @Override
    public String toString() {
      return draft
          + " k="
          + k
          + (draftAsync ? " draft-async" : " draft-sync")
          + (verifierAsync ? " verifier-async" : " verifier-sync");
    }
  }

  static Stream<Arguments> scenarios() {
    List<Arguments> out = new ArrayList<>();
    String[] drafts = {"noisy-table", "always-right", "always-wrong", "random"};
    for (String draft : drafts) {
      for (int k = 1; k <= 8; k++) {
        out.add(Arguments.of(new Scenario(draft, k, k % 2 == 0, k % 3 == 0)));
      }
    }
    return out.stream();
  }

  private static TestDrafter drafter(String kind, boolean async) {
    var executor = async ? POOL : null;
    BiFunction<MarkovTable, java.util.concurrent.Executor, TestDrafter> factory =
        switch (kind) {
          case "noisy-table" ->
              (t, e) -> TestDrafter.fromTable(t.perturbed(2.0, 7), SamplingParams.GREEDY, e);
          case "always-right" -> TestDrafter::alwaysRight;
          case "always-wrong" -> TestDrafter::alwaysWrong;
          case "random" -> (t, e) -> TestDrafter.random(VOCAB, e);
          default -> throw new IllegalArgumentException(kind);
        };
    return factory.apply(TARGET, executor);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void speculativeOutputEqualsPlainGreedyDecoding(Scenario scenario) {
    for (int promptStart = 0; promptStart < VOCAB; promptStart += 3) {
      int[] prompt = {promptStart, (promptStart + 5) % VOCAB};
      TestDrafter drafter = drafter(scenario.draft(), scenario.draftAsync());
      TestVerifier verifier = new TestVerifier(TARGET, scenario.verifierAsync() ? POOL : null);
      CollectingSink sink = new CollectingSink();

      LoopResult result =
          Runs.run(
              drafter,
              verifier,
              prompt,
              new SamplingParams(0f, 1f, 0, promptStart),
              DraftLengthChooser.fixed(scenario.k()),
              MAX_TOKENS,
              sink);

      assertArrayEquals(
          TARGET.greedyDecode(prompt, MAX_TOKENS), sink.tokens(), scenario.toString());
      assertEquals(FinishReason.LENGTH, result.reason());
      assertEquals(MAX_TOKENS, result.generatedTokens());
      assertEquals(1, drafter.closes.get());
      assertEquals(1, verifier.closes.get());
    }
  }

  @ParameterizedTest(name = "k={0}")
  @MethodSource("ks")
  void alwaysRightDraftsAreAllAcceptedAndAlwaysWrongOnesNever(int k) {
    int[] prompt = {1, 2};
    LoopResult right =
        Runs.run(
            TestDrafter.alwaysRight(TARGET, null),
            new TestVerifier(TARGET, null),
            prompt,
            SamplingParams.GREEDY,
            DraftLengthChooser.fixed(k),
            MAX_TOKENS,
            new CollectingSink());
    LoopResult wrong =
        Runs.run(
            TestDrafter.alwaysWrong(TARGET, null),
            new TestVerifier(TARGET, null),
            prompt,
            SamplingParams.GREEDY,
            DraftLengthChooser.fixed(k),
            MAX_TOKENS,
            new CollectingSink());

    assertEquals(right.draftTokensProposed(), right.draftTokensAccepted());
    // 1 first token, then k + 1 tokens per verify call, the last one truncated.
    assertEquals((MAX_TOKENS - 1 + k) / (k + 1), right.verifierCalls());
    assertEquals(0, wrong.draftTokensAccepted());
    assertEquals(MAX_TOKENS - 1, wrong.verifierCalls());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("draftKinds")
  void theAdaptiveChooserKeepsTheOutputExactAndFollowsDraftQuality(String kind) {
    int[] prompt = {4, 9};
    TestDrafter drafter = drafter(kind, true);
    CollectingSink sink = new CollectingSink();
    // With Runs' fake clock a propose of k tokens and a verify each take one tick: drafting pays
    // only when α is high.
    DraftLengthChooser adaptive = DraftLengthChooser.adaptive(8, new LatencyModel(1, 20, 0));

    LoopResult result =
        Runs.run(
            drafter,
            new TestVerifier(TARGET, POOL),
            prompt,
            SamplingParams.GREEDY,
            adaptive,
            200,
            sink);

    assertArrayEquals(TARGET.greedyDecode(prompt, 200), sink.tokens());
    if (kind.equals("always-right")) {
      assertEquals(8, result.steps().get(result.steps().size() / 2).requestedK());
    }
    if (kind.equals("always-wrong")) {
      // After the first rejections only probes (k = 1 every 32 plain steps) draft anything.
      assertEquals(0, result.steps().get(result.steps().size() - 2).requestedK());
      assertTrue(result.draftTokensProposed() < 40);
    }
  }

  static Stream<String> draftKinds() {
    return Stream.of("noisy-table", "always-right", "always-wrong", "random");
  }

  static Stream<Integer> ks() {
    return Stream.of(1, 2, 3, 4, 5, 6, 7, 8);
  }
}
