package dev.tandem.router.routing;

import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.TandemException;
import dev.tandem.router.format.Decimals;
import dev.tandem.speccore.Prices;
import dev.tandem.speccore.SpeculationPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleBiFunction;

/**
 * Chooses the tier of a request. For {@code model: auto}: the cheapest allowed tier whose
 * max_complexity clears the prompt's estimate, whose expected cost fits the request's budget and
 * whose estimated TTFT meets its target; when no tier clears the estimate, the most capable one
 * that fits; when none fits the budget, the {@link BudgetMissPolicy}. A named tier is served as
 * asked if the pins allow it. Pins bound the choice by rank: the tenant's min/max tier from config,
 * narrowed further by the request's own {@code routing.min_tier}/{@code routing.max_tier}.
 *
 * <p>Expected cost = open on the prompt + (max_tokens − 1) × the cheapest expected cost per token
 * over k in 0..kMax at the pair's acceptance α ({@link SpeculationPolicy#costPerToken}); worst case
 * = {@link Prices#worstCase}, capped by the budget (the loop never spends past it).
 *
 * <p>Immutable; thread-safe.
 */
public final class TierRouter {

  private final List<RoutedTier> byRank;
  private final BudgetMissPolicy onBudgetMiss;

  public TierRouter(List<RoutedTier> tiers, BudgetMissPolicy onBudgetMiss) {
    if (tiers.isEmpty()) {
      throw new IllegalArgumentException("tiers must not be empty");
    }
    List<RoutedTier> sorted = new ArrayList<>(tiers);
    sorted.sort(Comparator.comparingInt(RoutedTier::rank));
    this.byRank = List.copyOf(sorted);
    this.onBudgetMiss = onBudgetMiss;
  }

  /**
   * @param model a tier name or "auto"
   * @param alpha acceptance estimate per tier name (missing: 0, i.e. no speculation gain assumed)
   * @param ttftMs estimated time to first token of a tier for a prompt length
   * @throws TandemException INVALID_ARGUMENT for pins that exclude every tier or the named one,
   *     RESOURCE_EXHAUSTED when the policy is refuse and no tier fits the budget
   */
  public RouteDecision route(
      String model,
      RouteRequest r,
      Map<String, Double> alpha,
      ToDoubleBiFunction<String, Integer> ttftMs) {
    List<RoutedTier> allowed = allowed(r);
    if (!model.equals("auto")) {
      RoutedTier named =
          allowed.stream()
              .filter(t -> t.name().equals(model))
              .findFirst()
              .orElseThrow(() -> outsidePins(model, allowed));
      return decision(named, r, alpha, true, "requested");
    }
    double score = r.complexity().score();
    RoutedTier fallback = null;
    for (RoutedTier t : allowed) {
      double expected = expectedCost(t, r, alpha);
      boolean fitsBudget = r.maxCostUsd() == 0 || expected <= r.maxCostUsd();
      boolean fitsTtft =
          r.ttftMs() == 0 || ttftMs.applyAsDouble(t.name(), r.promptTokens()) <= r.ttftMs();
      if (fitsBudget && fitsTtft && score <= t.maxComplexity()) {
        return decision(t, r, alpha, true, clears(score, t, expected, r));
      }
      if (fitsBudget) {
        fallback = t; // the most capable tier that fits, since ranks ascend
      }
    }
    if (fallback != null) {
      return decision(
          fallback,
          r,
          alpha,
          true,
          String.format(
              Locale.ROOT,
              "complexity %.3f: no allowed tier clears it within budget and ttft; most capable"
                  + " affordable tier",
              score));
    }
    return budgetMiss(r, allowed.get(0));
  }

  private RouteDecision budgetMiss(RouteRequest r, RoutedTier cheapest) {
    double plain = plainCost(cheapest, r);
    if (onBudgetMiss == BudgetMissPolicy.REFUSE) {
      throw new TandemException(
          ErrorKind.RESOURCE_EXHAUSTED,
          "budget.max_cost_usd",
          String.format(
              Locale.ROOT,
              "no tier can serve this request within budget.max_cost_usd %.9f: the cheapest option,"
                  + " tier %s with plain decoding, is expected to cost %.9f USD",
              r.maxCostUsd(),
              cheapest.name(),
              plain),
          null);
    }
    return new RouteDecision(
        cheapest.name(),
        false,
        plain,
        capped(cheapest.prices().worstCase(r.promptTokens(), r.maxTokens(), 0), r),
        String.format(
            Locale.ROOT,
            "no tier fits budget %.9f USD: degraded to %s, plain decoding (expected %.9f USD)",
            r.maxCostUsd(),
            cheapest.name(),
            plain));
  }

  /**
   * The tiers both pins allow: the tenant's (from config) and the request's own, which may only
   * narrow the tenant's range.
   */
  private List<RoutedTier> allowed(RouteRequest r) {
    int tenantMin = r.minTier() == null ? 0 : rankOf(r.minTier(), "min_tier");
    int tenantMax = r.maxTier() == null ? Integer.MAX_VALUE : rankOf(r.maxTier(), "max_tier");
    List<RoutedTier> tenant = within(tenantMin, tenantMax);
    if (tenant.isEmpty()) {
      throw TandemException.invalid(
          "min_tier",
          "min_tier " + r.minTier() + " is above max_tier " + r.maxTier() + ": no tier allowed");
    }
    int min =
        r.requestMinTier() == null
            ? tenantMin
            : Math.max(tenantMin, rankOf(r.requestMinTier(), "routing.min_tier"));
    int max =
        r.requestMaxTier() == null
            ? tenantMax
            : Math.min(tenantMax, rankOf(r.requestMaxTier(), "routing.max_tier"));
    List<RoutedTier> allowed = within(min, max);
    if (allowed.isEmpty()) {
      List<String> pins = new ArrayList<>();
      if (r.requestMinTier() != null) {
        pins.add("routing.min_tier " + r.requestMinTier());
      }
      if (r.requestMaxTier() != null) {
        pins.add("routing.max_tier " + r.requestMaxTier());
      }
      throw TandemException.invalid(
          r.requestMinTier() != null ? "routing.min_tier" : "routing.max_tier",
          String.join(" and ", pins)
              + (pins.size() == 1 ? " leaves" : " leave")
              + " no tier: this caller may use "
              + names(tenant));
    }
    return allowed;
  }

  private List<RoutedTier> within(int minRank, int maxRank) {
    return byRank.stream().filter(t -> t.rank() >= minRank && t.rank() <= maxRank).toList();
  }

  private int rankOf(String tier, String field) {
    return byRank.stream()
        .filter(t -> t.name().equals(tier))
        .findFirst()
        .orElseThrow(
            () ->
                TandemException.invalid(
                    field, field + " must be one of " + names(byRank) + ", got " + tier))
        .rank();
  }

  private static TandemException outsidePins(String model, List<RoutedTier> allowed) {
    return TandemException.invalid(
        "model", "model must be one of " + names(allowed) + " or auto here, got " + model);
  }

  private static List<String> names(List<RoutedTier> tiers) {
    return tiers.stream().map(RoutedTier::name).toList();
  }

  private RouteDecision decision(
      RoutedTier t, RouteRequest r, Map<String, Double> alpha, boolean speculate, String reason) {
    return new RouteDecision(
        t.name(),
        speculate,
        expectedCost(t, r, alpha),
        capped(t.prices().worstCase(r.promptTokens(), r.maxTokens(), r.kMax()), r),
        reason);
  }

  /** The reason a tier that clears the request was chosen: built for every routed request. */
  private static String clears(double score, RoutedTier t, double expected, RouteRequest r) {
    StringBuilder reason = new StringBuilder(96).append("complexity ");
    Decimals.append(reason, score, 3).append(" <= ").append(t.name()).append(".max_complexity ");
    Decimals.append(reason, t.maxComplexity(), 3).append(", expected ");
    Decimals.append(reason, expected, 9).append(" USD");
    if (r.maxCostUsd() != 0) {
      Decimals.append(reason.append(" within budget "), r.maxCostUsd(), 9);
    }
    return reason.toString();
  }

  static double expectedCost(RoutedTier t, RouteRequest r, Map<String, Double> alpha) {
    double a = alpha.getOrDefault(t.name(), 0.0);
    double perToken = Double.POSITIVE_INFINITY;
    for (int k = 0; k <= r.kMax(); k++) {
      perToken = Math.min(perToken, SpeculationPolicy.costPerToken(a, k, t.prices()));
    }
    return t.prices().verifier().openCost(r.promptTokens()) + (r.maxTokens() - 1) * perToken;
  }

  private static double plainCost(RoutedTier t, RouteRequest r) {
    return t.prices().verifier().openCost(r.promptTokens())
        + (r.maxTokens() - 1) * t.prices().stepCost(0);
  }

  private static double capped(double worstCase, RouteRequest r) {
    return r.maxCostUsd() > 0 ? Math.min(worstCase, r.maxCostUsd()) : worstCase;
  }
}
