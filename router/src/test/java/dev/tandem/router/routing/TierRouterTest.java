package dev.tandem.router.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.TandemException;
import dev.tandem.speccore.Prices;
import dev.tandem.speccore.VerifierPricing.PerToken;
import dev.tandem.speccore.VerifierPricing.SelfHosted;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleBiFunction;
import org.junit.jupiter.api.Test;

/** Which tier serves a request, and why, for complexity, budgets, TTFT targets and pins. */
class TierRouterTest {

  static final RoutedTier SMALL =
      new RoutedTier("small", 0, new Prices(new PerToken(0.3, 0.3), 0), 0.5);
  static final RoutedTier LARGE =
      new RoutedTier("large", 1, new Prices(new SelfHosted(2e-5, 1e-6, 2e-6), 2e-8), 1.0);
  static final Map<String, Double> ALPHA = Map.of("large", 0.7);
  static final ToDoubleBiFunction<String, Integer> FAST = (tier, n) -> 10;

  static TierRouter router(BudgetMissPolicy policy) {
    return new TierRouter(List.of(LARGE, SMALL), policy);
  }

  static RouteRequest auto(double complexity, double budget) {
    return new RouteRequest(
        new Complexity(complexity, "test"), 20, 64, 8, budget, 0, null, null, null, null);
  }

  @Test
  void easyPromptsGoToTheCheapTierHardOnesToTheLargeOne() {
    RouteDecision easy = router(BudgetMissPolicy.DEGRADE).route("auto", auto(0.3, 0), ALPHA, FAST);
    assertEquals("small", easy.tier());
    assertTrue(
        easy.reason().startsWith("complexity 0.300 <= small.max_complexity 0.500"), easy.reason());
    RouteDecision hard = router(BudgetMissPolicy.DEGRADE).route("auto", auto(0.8, 0), ALPHA, FAST);
    assertEquals("large", hard.tier());
    assertTrue(hard.speculate());
    assertEquals(
        LARGE.prices().worstCase(20, 64, 8), hard.worstCaseCostUsd(), 1e-15, "no budget: no cap");
  }

  @Test
  void theExpectedCostUsesTheCheapestKAtThePairsAcceptance() {
    double expected = TierRouter.expectedCost(LARGE, auto(0.8, 0), ALPHA);
    double plain = LARGE.prices().verifier().openCost(20) + 63 * LARGE.prices().stepCost(0);
    assertTrue(expected < 0.5 * plain, expected + " vs plain " + plain); // per-call: drafts pay
    double perTokenExpected = TierRouter.expectedCost(SMALL, auto(0.8, 0), Map.of("small", 0.9));
    assertEquals(
        SMALL.prices().verifier().openCost(20) + 63 * SMALL.prices().stepCost(0),
        perTokenExpected,
        1e-15); // per-token: k = 0 is cheapest whatever α
  }

  @Test
  void aBudgetTheLargeTierMissesKeepsAHardPromptOnTheMostCapableTierThatFits() {
    double smallCost = TierRouter.expectedCost(SMALL, auto(0.8, 0), ALPHA);
    RouteDecision d =
        router(BudgetMissPolicy.DEGRADE).route("auto", auto(0.8, smallCost * 1.01), ALPHA, FAST);
    assertEquals("small", d.tier());
    assertTrue(d.reason().contains("most capable affordable tier"), d.reason());
    assertEquals(smallCost * 1.01, d.worstCaseCostUsd(), 1e-15, "worst case capped by budget");
  }

  @Test
  void whenNoTierFitsTheBudgetDegradeOrRefuseSayingWhatTheCheapestCosts() {
    RouteDecision degraded =
        router(BudgetMissPolicy.DEGRADE).route("auto", auto(0.8, 1e-9), ALPHA, FAST);
    assertEquals("small", degraded.tier());
    assertFalse(degraded.speculate());
    assertTrue(degraded.reason().startsWith("no tier fits budget"), degraded.reason());
    TandemException refused =
        assertThrows(
            TandemException.class,
            () -> router(BudgetMissPolicy.REFUSE).route("auto", auto(0.8, 1e-9), ALPHA, FAST));
    assertEquals(ErrorKind.RESOURCE_EXHAUSTED, refused.kind());
    assertEquals("budget.max_cost_usd", refused.param());
    assertTrue(
        refused.getMessage().contains("the cheapest option, tier small with plain decoding"),
        refused.getMessage());
  }

  @Test
  void aTtftTargetTheCheapTierMissesMovesTheRequestUp() {
    ToDoubleBiFunction<String, Integer> slowSmall = (tier, n) -> tier.equals("small") ? 900 : 50;
    RouteRequest r =
        new RouteRequest(new Complexity(0.2, ""), 20, 64, 8, 0, 200, null, null, null, null);
    assertEquals(
        "large", router(BudgetMissPolicy.DEGRADE).route("auto", r, ALPHA, slowSmall).tier());
  }

  @Test
  void pinsBoundTheChoiceAndNamedTiersOutsideThemAreRefused() {
    RouteRequest minLarge =
        new RouteRequest(new Complexity(0.1, ""), 20, 64, 8, 0, 0, "large", null, null, null);
    assertEquals(
        "large", router(BudgetMissPolicy.DEGRADE).route("auto", minLarge, ALPHA, FAST).tier());
    RouteRequest maxSmall =
        new RouteRequest(new Complexity(0.9, ""), 20, 64, 8, 0, 0, null, "small", null, null);
    assertEquals(
        "small", router(BudgetMissPolicy.DEGRADE).route("auto", maxSmall, ALPHA, FAST).tier());
    TandemException outside =
        assertThrows(
            TandemException.class,
            () -> router(BudgetMissPolicy.DEGRADE).route("large", maxSmall, ALPHA, FAST));
    assertEquals("model must be one of [small] or auto here, got large", outside.getMessage());
    RouteRequest crossed = new RouteRequest(null, 20, 64, 8, 0, 0, "large", "small", null, null);
    TandemException none =
        assertThrows(
            TandemException.class,
            () -> router(BudgetMissPolicy.DEGRADE).route("auto", crossed, ALPHA, FAST));
    assertEquals(ErrorKind.INVALID_ARGUMENT, none.kind());
    RouteRequest unknown = new RouteRequest(null, 20, 64, 8, 0, 0, "medium", null, null, null);
    TandemException bad =
        assertThrows(
            TandemException.class,
            () -> router(BudgetMissPolicy.DEGRADE).route("auto", unknown, ALPHA, FAST));
    assertEquals("min_tier must be one of [small, large], got medium", bad.getMessage());
  }

  @Test
  void autoOverThreeTiersPicksTheCheapestTierWhoseMaxComplexityAdmitsThePrompt() {
    RoutedTier tiny =
        new RoutedTier("tiny", 0, new Prices(new SelfHosted(5e-7, 1e-8, 2.5e-9), 0), 0.3);
    RoutedTier small =
        new RoutedTier("small", 1, new Prices(new SelfHosted(1.5e-6, 3e-8, 7.5e-9), 0), 0.6);
    RoutedTier large = new RoutedTier("large", 2, LARGE.prices(), 1.0);
    TierRouter router = new TierRouter(List.of(large, tiny, small), BudgetMissPolicy.DEGRADE);
    double[] scores = {0.05, 0.3, 0.3001, 0.45, 0.6, 0.6001, 0.95};
    String[] expected = {"tiny", "tiny", "small", "small", "small", "large", "large"};
    for (int i = 0; i < scores.length; i++) {
      RouteDecision d = router.route("auto", auto(scores[i], 0), ALPHA, FAST);
      assertEquals(expected[i], d.tier(), "complexity " + scores[i]);
      assertTrue(
          d.reason().startsWith("complexity ") && d.reason().contains("<= " + expected[i] + "."),
          d.reason());
    }
    // pins still bound the choice by rank, from either side, and a middle-only range holds
    RouteRequest easyAtLeastSmall =
        new RouteRequest(new Complexity(0.05, ""), 20, 64, 8, 0, 0, null, null, "small", null);
    assertEquals("small", router.route("auto", easyAtLeastSmall, ALPHA, FAST).tier());
    RouteRequest hardAtMostSmall =
        new RouteRequest(new Complexity(0.95, ""), 20, 64, 8, 0, 0, null, null, null, "small");
    assertEquals("small", router.route("auto", hardAtMostSmall, ALPHA, FAST).tier());
    RouteRequest tenantSmallOnly =
        new RouteRequest(new Complexity(0.05, ""), 20, 64, 8, 0, 0, "small", "small", null, null);
    assertEquals("small", router.route("auto", tenantSmallOnly, ALPHA, FAST).tier());
    RouteRequest easyPinnedLarge =
        new RouteRequest(new Complexity(0.05, ""), 20, 64, 8, 0, 0, null, null, "large", null);
    assertEquals("large", router.route("auto", easyPinnedLarge, ALPHA, FAST).tier());
    RouteRequest hardAtMostTiny =
        new RouteRequest(new Complexity(0.95, ""), 20, 64, 8, 0, 0, null, "tiny", null, null);
    RouteDecision capped = router.route("auto", hardAtMostTiny, ALPHA, FAST);
    assertEquals("tiny", capped.tier());
    assertTrue(capped.reason().contains("most capable affordable tier"), capped.reason());
    TandemException bad =
        assertThrows(
            TandemException.class,
            () ->
                router.route(
                    "auto",
                    new RouteRequest(
                        new Complexity(0.5, ""), 20, 64, 8, 0, 0, null, null, null, "xl"),
                    ALPHA,
                    FAST));
    assertEquals("routing.max_tier must be one of [tiny, small, large], got xl", bad.getMessage());
  }

  @Test
  void requestPinsNarrowTheTenantsRangeAndNeverWidenIt() {
    TierRouter router = router(BudgetMissPolicy.DEGRADE);
    RouteRequest wantsLarge =
        new RouteRequest(new Complexity(0.1, ""), 20, 64, 8, 0, 0, null, null, "large", null);
    RouteDecision pinned = router.route("auto", wantsLarge, ALPHA, FAST);
    assertEquals("large", pinned.tier(), "an easy prompt pinned to large by the request");
    RouteRequest wantsSmall =
        new RouteRequest(new Complexity(0.9, ""), 20, 64, 8, 0, 0, null, null, null, "small");
    assertEquals("small", router.route("auto", wantsSmall, ALPHA, FAST).tier());
    RouteRequest tenantSmallOnly =
        new RouteRequest(new Complexity(0.1, ""), 20, 64, 8, 0, 0, null, "small", "large", null);
    TandemException widen =
        assertThrows(
            TandemException.class, () -> router.route("auto", tenantSmallOnly, ALPHA, FAST));
    assertEquals(ErrorKind.INVALID_ARGUMENT, widen.kind());
    assertEquals("routing.min_tier", widen.param());
    assertEquals(
        "routing.min_tier large leaves no tier: this caller may use [small]", widen.getMessage());
    RouteRequest unknown =
        new RouteRequest(new Complexity(0.1, ""), 20, 64, 8, 0, 0, null, null, null, "xl");
    TandemException bad =
        assertThrows(TandemException.class, () -> router.route("auto", unknown, ALPHA, FAST));
    assertEquals("routing.max_tier must be one of [small, large], got xl", bad.getMessage());
  }
}
