package dev.tandem.speccore;

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

import dev.tandem.speccore.VerifierPricing.PerToken;
import dev.tandem.speccore.VerifierPricing.SelfHosted;
import org.junit.jupiter.api.Test;

/**
 * The two price shapes drive the policy in opposite directions: per-call pricing makes longer
 * drafts cheaper per token, per-token pricing makes any draft dearer; and a loop with a spend limit
 * never spends past it.
 */
class PricingPolicyTest {

  /** A GPU box: the call is most of the price, one more position is nearly free. */
  private static final Prices PER_CALL = new Prices(new SelfHosted(1e-4, 1e-6, 1e-7), 1e-7);

  /** An API: $3 per 1M prompt tokens, $15 per 1M scored positions. */
  private static final Prices PER_TOKEN = new Prices(new PerToken(3, 15), 1e-8);

  private static final LatencyModel LATENCY = new LatencyModel(300_000, 2_000_000, 200_000);

  @Test
  void underPerCallPricingLongerDraftsAreCheaperPerToken() {
    for (double alpha : new double[] {0.5, 0.7, 0.9}) {
      for (int k = 1; k <= 4; k++) {
        assertTrue(
            SpeculationPolicy.costPerToken(alpha, k, PER_CALL)
                < SpeculationPolicy.costPerToken(alpha, k - 1, PER_CALL),
            "alpha=" + alpha + " k=" + k);
      }
      int cheapest =
          SpeculationPolicy.chooseK(
              alpha, 8, LATENCY, PER_CALL, Objective.MIN_COST_WITHIN_LATENCY, Double.MAX_VALUE);
      assertTrue(cheapest >= 4, "alpha=" + alpha + " cheapest k=" + cheapest);
    }
    // At α = 0.8, k = 8 cuts cost per token to about a quarter of plain decoding.
    double ratio =
        SpeculationPolicy.costPerToken(0.8, 8, PER_CALL)
            / SpeculationPolicy.costPerToken(0.8, 0, PER_CALL);
    assertTrue(ratio < 0.3, "cost ratio k=8 vs plain: " + ratio);
  }

  @Test
  void underPerTokenPricingSpeculationNeverSavesMoney() {
    for (double alpha : new double[] {0, 0.3, 0.8, 0.99}) {
      double plain = SpeculationPolicy.costPerToken(alpha, 0, PER_TOKEN);
      for (int k = 1; k <= 16; k++) {
        assertTrue(SpeculationPolicy.costPerToken(alpha, k, PER_TOKEN) > plain);
      }
      assertEquals(
          0,
          SpeculationPolicy.chooseK(
              alpha, 8, LATENCY, PER_TOKEN, Objective.MIN_COST_WITHIN_LATENCY, Double.MAX_VALUE));
    }
  }

  @Test
  void underPerTokenPricingDraftsOnlyForLatencyAndWithinTheCostLimit() {
    double alpha = 0.8;
    double plainTime = SpeculationPolicy.timePerToken(alpha, 0, LATENCY);
    // A latency target plain decoding misses: the cheapest k that meets it, not the fastest.
    double target = plainTime * 0.6;
    int k =
        SpeculationPolicy.chooseK(
            alpha, 8, LATENCY, PER_TOKEN, Objective.MIN_COST_WITHIN_LATENCY, target);
    assertTrue(k > 0);
    assertTrue(SpeculationPolicy.timePerToken(alpha, k, LATENCY) <= target);
    assertTrue(SpeculationPolicy.timePerToken(alpha, k - 1, LATENCY) > target);
    // Fastest k within 10 % more cost per token than plain decoding.
    double limit = SpeculationPolicy.costPerToken(alpha, 0, PER_TOKEN) * 1.1;
    int within =
        SpeculationPolicy.chooseK(
            alpha, 8, LATENCY, PER_TOKEN, Objective.MIN_LATENCY_WITHIN_COST, limit);
    assertTrue(SpeculationPolicy.costPerToken(alpha, within, PER_TOKEN) <= limit);
    assertTrue(within < 8);
  }

  @Test
  void pricesAddUpPerVariant() {
    SelfHosted gpu = new SelfHosted(0.5, 0.01, 0.001);
    assertEquals(0.5 + 0.001 * 100 + 0.01, gpu.openCost(100), 1e-12);
    assertEquals(0.5 + 0.01 * 5, gpu.stepCost(4), 1e-12);
    PerToken api = new PerToken(2, 10);
    assertEquals(100 * 2e-6 + 10e-6, api.openCost(100), 1e-15);
    assertEquals(5 * 10e-6, api.stepCost(4), 1e-15);
    Prices prices = new Prices(gpu, 0.002);
    assertEquals(3 * 0.5 + 12 * 0.01 + 9 * 0.002, prices.spent(3, 12, 9), 1e-12);
    // Worst case: open, then max_tokens − 1 steps that reject all 8 drafts.
    assertEquals(gpu.openCost(10) + 4 * prices.stepCost(8), prices.worstCase(10, 5, 8), 1e-12);
    var bad = assertThrows(IllegalArgumentException.class, () -> new PerToken(-1, 1));
    assertTrue(bad.getMessage().startsWith("perMillionPromptTokens must be finite and >= 0"));
    var nan = assertThrows(IllegalArgumentException.class, () -> new SelfHosted(1, Double.NaN, 0));
    assertTrue(nan.getMessage().startsWith("perPosition"));
  }

  @Test
  void aSpendLimitEndsTheLoopWithBudgetBeforeTheStepThatWouldExceedIt() throws Exception {
    Prices prices = new Prices(new SelfHosted(1, 0.1, 0), 0.01);
    // Each step with k = 4 costs 1 + 0.5 + 0.04 = 1.54; the limit fits two, then k = 0 (1.1) fits
    // no more after 3.08 of 4.0: 3.08 + 1.1 > 4.
    double limit = 4.0;
    CollectingSink sink = new CollectingSink();
    LoopResult result =
        await(
            builder(
                    TestDrafter.alwaysWrong(TARGET, null),
                    verifierSession(new TestVerifier(TARGET, null)),
                    sink)
                .chooser(DraftLengthChooser.fixed(4))
                .spendLimit(prices, limit)
                .maxTokens(50)
                .build()
                .start());

    assertEquals(FinishReason.BUDGET, result.reason());
    double spent =
        prices.spent(
            result.verifierCalls(), result.verifierPositionsScored(), result.draftTokensProposed());
    assertTrue(spent <= limit, "spent " + spent);
    assertTrue(spent + prices.stepCost(0) > limit, "stopped early: spent " + spent);
    assertEquals(2, result.verifierCalls());
    assertArrayEquals(prefix(greedy(50), result.generatedTokens()), sink.tokens());
  }

  @Test
  void aSpendLimitShortensDraftsItCannotAfford() throws Exception {
    Prices prices = new Prices(new SelfHosted(1, 0.1, 0), 0.01);
    CollectingSink sink = new CollectingSink();
    // One step of k = 8 costs 1.98; with 1.5 the longest affordable draft is k = 3 (1.43).
    LoopResult result =
        await(
            builder(
                    TestDrafter.alwaysRight(TARGET, null),
                    verifierSession(new TestVerifier(TARGET, null)),
                    sink)
                .chooser(DraftLengthChooser.fixed(8))
                .spendLimit(prices, 1.5)
                .maxTokens(50)
                .build()
                .start());

    assertEquals(FinishReason.BUDGET, result.reason());
    assertEquals(1, result.verifierCalls());
    assertEquals(3, result.draftTokensProposed());
    assertEquals(1 + 4, result.generatedTokens()); // first token, then 3 drafts + 1
  }

  /**
   * A limit of exactly the worst case of the steps left (what the router reserves, less the open)
   * lets a plain run deliver every token: the limit and the spend are summed differently and differ
   * in their last bits, which cost about a quarter of these runs their last token (BUDGET at
   * max_tokens − 1).
   */
  @Test
  void aLimitOfExactlyTheWorstCaseLetsAPlainRunFinish() throws Exception {
    Prices prices = new Prices(new SelfHosted(0.00001, 0.0000002, 0.00000005), 0.00000002);
    for (int prompt = 1; prompt <= 40; prompt++) {
      for (int maxTokens : new int[] {2, 8, 64}) {
        double limit = prices.worstCase(prompt, maxTokens, 0) - prices.verifier().openCost(prompt);
        LoopResult result =
            await(
                builder(
                        TestDrafter.alwaysRight(TARGET, null),
                        verifierSession(new TestVerifier(TARGET, null)),
                        new CollectingSink())
                    .chooser(DraftLengthChooser.off())
                    .spendLimit(prices, Math.max(0, limit))
                    .maxTokens(maxTokens)
                    .build()
                    .start());
        assertEquals(
            maxTokens,
            result.generatedTokens(),
            "prompt " + prompt + ", max_tokens " + maxTokens + ": " + result.reason());
      }
    }
  }
}
