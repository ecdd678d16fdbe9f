package dev.tandem.router.engine;

import dev.tandem.model.Model;
import dev.tandem.router.accounting.AccountingStore;
import dev.tandem.router.accounting.ApiKeys;
import dev.tandem.router.accounting.InMemoryAccountingStore;
import dev.tandem.router.routing.BudgetMissPolicy;
import dev.tandem.router.routing.ComplexityEstimator;
import dev.tandem.router.routing.LinearComplexityEstimator;
import dev.tandem.router.routing.RoutedTier;
import dev.tandem.router.routing.TierRouter;
import dev.tandem.speccore.Prices;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What admission needs besides the tiers: who the caller is, where spend is held and counted, how
 * {@code model: auto} chooses a tier, and who hears about settled requests (metrics, alerts).
 *
 * @param keys API key → tenant
 * @param store reservations, quotas, budgets and spend
 * @param router tier choice
 * @param estimator prompt complexity for {@code auto}
 * @param draftModel the model whose prompt loss feeds the estimator, if one is configured
 * @param onSettled told about every request once its charge is committed (on its context)
 * @param clock picks the accounting windows
 */
public record CostControl(
    ApiKeys keys,
    AccountingStore store,
    TierRouter router,
    ComplexityEstimator estimator,
    Optional<Model> draftModel,
    Consumer<SettledRequest> onSettled,
    Clock clock) {

  /**
   * Anonymous, unlimited, in memory, and {@code auto} means the default tier: what a router without
   * tenants or routing thresholds runs with.
   */
  public static CostControl unlimited(
      Map<String, Tier> tiers, String defaultTier, SpeculationSettings speculation) {
    List<RoutedTier> routed = new ArrayList<>();
    int rank = 1;
    for (Tier t : tiers.values()) {
      boolean first = t.name().equals(defaultTier);
      routed.add(
          new RoutedTier(
              t.name(),
              first ? 0 : rank++,
              new Prices(t.pricing(), speculation.draftPricePerTokenUsd()),
              1.0));
    }
    return new CostControl(
        ApiKeys.anonymous(),
        new InMemoryAccountingStore(),
        new TierRouter(routed, BudgetMissPolicy.DEGRADE),
        LinearComplexityEstimator.DEFAULT,
        Optional.empty(),
        settled -> {},
        Clock.systemUTC());
  }
}
