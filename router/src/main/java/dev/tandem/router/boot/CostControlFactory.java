package dev.tandem.router.boot;

import dev.tandem.model.Model;
import dev.tandem.router.accounting.AccountingStore;
import dev.tandem.router.accounting.ApiKeys;
import dev.tandem.router.accounting.BudgetAlerts;
import dev.tandem.router.accounting.Tenant;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.config.TandemConfig.AutoRouting;
import dev.tandem.router.config.TandemConfig.TenantConfig;
import dev.tandem.router.engine.CostControl;
import dev.tandem.router.engine.SettledRequest;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.router.routing.LinearComplexityEstimator;
import dev.tandem.router.routing.RoutedTier;
import dev.tandem.router.routing.TierRouter;
import dev.tandem.speccore.Prices;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a configuration's {@link CostControl}: API keys → tenants, the tier router (ranks in
 * config order, cheapest first), the estimator with the draft model's prompt loss when routing by
 * complexity, and what a settled request feeds (the cost counter, budget alerts). The accounting
 * store is the router's, shared by every configuration so that spend survives reloads.
 *
 * <p>Stateless apart from what it is given; called by {@link RouterStateBuilder} on its thread.
 */
final class CostControlFactory {

  private CostControlFactory() {}

  static CostControl build(
      TandemConfig config,
      AccountingStore store,
      Optional<Model> draftModel,
      RouterMetrics metrics,
      BudgetAlerts alerts) {
    TandemConfig.Cost cost = config.cost();
    Map<String, Tenant> byKey = new HashMap<>();
    Map<String, Optional<URI>> webhooks = new HashMap<>();
    for (TenantConfig t : cost.tenants()) {
      Tenant tenant =
          new Tenant(
              t.name(), t.limits(), t.tags(), t.minTier().orElse(null), t.maxTier().orElse(null));
      t.apiKeySha256().forEach(hash -> byKey.put(hash, tenant));
      webhooks.put(t.name(), t.alertWebhook());
    }
    boolean byComplexity = cost.routing().auto() == AutoRouting.COMPLEXITY;
    double draftPrice = config.drafting().draftPricePer1kTokensUsd() / 1000;
    List<RoutedTier> routed = new ArrayList<>();
    int rank = byComplexity ? 0 : 1;
    for (TandemConfig.Tier t : config.tiers()) {
      boolean isDefault = t.name().equals(config.defaultTier());
      routed.add(
          new RoutedTier(
              t.name(),
              !byComplexity && isDefault ? 0 : rank++,
              new Prices(t.price(), draftPrice),
              byComplexity ? t.maxComplexity() : 1.0));
    }
    List<String> metricTags = cost.metricTags();
    return new CostControl(
        new ApiKeys(byKey),
        store,
        new TierRouter(routed, cost.routing().onBudgetMiss()),
        LinearComplexityEstimator.DEFAULT,
        byComplexity ? draftModel : Optional.empty(),
        (SettledRequest settled) -> {
          metrics.charged(settled, metricTags);
          alerts.report(
              settled.settlement(),
              settled.tenant(),
              webhooks.getOrDefault(settled.tenant().id(), Optional.empty()));
        },
        Clock.systemUTC());
  }
}
