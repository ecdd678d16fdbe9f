package dev.tandem.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.config.TandemConfig.AutoRouting;
import dev.tandem.router.routing.BudgetMissPolicy;
import dev.tandem.speccore.LatencyModel;
import dev.tandem.speccore.StepPrior;
import dev.tandem.speccore.VerifierPricing;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Tier price models, routing and tenants in config: typed, and every bad value named. */
class CostConfigTest extends ConfigFixture {

  static ConfigException rejected(JsonObject overrides) {
    return assertThrows(ConfigException.class, () -> load(overrides));
  }

  /** One tier "t" with exactly these fields (no default price). */
  static JsonObject onlyTier(JsonObject fields) {
    return new JsonObject()
        .put("tiers", new JsonArray().add(new JsonObject().put("name", "t").mergeIn(fields)));
  }

  static JsonObject tenant(JsonObject fields) {
    return new JsonObject()
        .put(
            "tenants",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("name", "acme")
                        .put("api_key_sha256", new JsonArray().add("a".repeat(64)))
                        .mergeIn(fields)));
  }

  @Test
  void theEmbeddedDefaultHasTwoPricedTiersAndRoutesByComplexity() {
    TandemConfig config = load(new JsonObject());
    assertEquals(
        java.util.List.of("small", "large"),
        config.tiers().stream().map(TandemConfig.Tier::name).toList());
    assertEquals(
        new VerifierPricing.SelfHosted(1.5e-6, 3e-8, 7.5e-9), config.tiers().get(0).price());
    assertEquals(0.5206, config.tiers().get(0).maxComplexity());
    assertEquals(1.0, config.tiers().get(1).maxComplexity());
    assertEquals(AutoRouting.COMPLEXITY, config.cost().routing().auto());
    assertEquals(BudgetMissPolicy.DEGRADE, config.cost().routing().onBudgetMiss());
    assertEquals(java.util.List.of(), config.cost().tenants());
  }

  @Test
  void theThreeTierExampleReadsCheapestFirstWithItsThresholds() {
    JsonArray tiers = new JsonArray();
    String[][] spec = {
      {"tiny", "fixtures/models/tandem-tiny", "0.0000005", "0.3"},
      {"small", "fixtures/models/tandem-draft", "0.0000015", "0.6"},
      {"large", "fixtures/models/tandem-verifier", "0.00001", "1.0"}
    };
    for (String[] t : spec) {
      tiers.add(
          new JsonObject()
              .put("name", t[0])
              .put("verifier", "in-process")
              .put("model", t[1])
              .put(
                  "price",
                  new JsonObject()
                      .put("kind", "per-call")
                      .put("per_call_usd", Double.parseDouble(t[2]))
                      .put("per_position_usd", 0.0)
                      .put("per_prompt_token_usd", 0.0))
              .put("max_complexity", Double.parseDouble(t[3])));
    }
    TandemConfig config = load(new JsonObject().put("tiers", tiers));
    assertEquals(
        java.util.List.of("tiny", "small", "large"),
        config.tiers().stream().map(TandemConfig.Tier::name).toList());
    assertEquals(
        java.util.List.of(0.3, 0.6, 1.0),
        config.tiers().stream().map(TandemConfig.Tier::maxComplexity).toList());
    assertEquals(new VerifierPricing.SelfHosted(5e-7, 0, 0), config.tiers().get(0).price());
  }

  @Test
  void aPerTokenPriceAndATenantReadIntoTypes() {
    JsonObject overrides =
        onlyTier(
                new JsonObject()
                    .put("verifier", "in-process")
                    .put("model", "fixtures/models/tandem-verifier")
                    .put(
                        "price",
                        new JsonObject()
                            .put("kind", "per-token")
                            .put("per_1m_prompt_tokens_usd", 0.5)
                            .put("per_1m_scored_positions_usd", 2.0)))
            .mergeIn(
                tenant(
                    new JsonObject()
                        .put("limits", new JsonObject().put("daily_budget_usd", 1.5))
                        .put("max_tier", "t")
                        .put(
                            "alerts",
                            new JsonObject()
                                .put("thresholds", new JsonArray().add(0.5).add(1.0)))));
    TandemConfig config = load(overrides.put("default_tier", "t"));
    assertEquals(new VerifierPricing.PerToken(0.5, 2.0), config.tiers().get(0).price());
    TandemConfig.TenantConfig acme = config.cost().tenants().get(0);
    assertEquals(1_500_000_000L, acme.limits().dailyBudgetNanos());
    assertEquals(java.util.List.of(0.5, 1.0), acme.limits().alertThresholds());
    assertEquals("t", acme.maxTier().orElseThrow());
  }

  @Test
  void badCostKeysAreRejectedByName() {
    ConfigException kind =
        rejected(
            onlyTier(
                new JsonObject()
                    .put("verifier", "in-process")
                    .put("model", "fixtures/models/tandem-verifier")
                    .put("price", new JsonObject().put("kind", "per-hour"))));
    assertTrue(
        kind.getMessage().startsWith("tiers[0].price.kind must be one of per_call | per_token"),
        kind.getMessage());
    ConfigException hash =
        rejected(
            new JsonObject()
                .put(
                    "tenants",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("name", "acme")
                                .put("api_key_sha256", new JsonArray().add("sk-plain-key")))));
    assertTrue(
        hash.getMessage().startsWith("tenants[0].api_key_sha256 must hold 64 lower-case hex"),
        hash.getMessage());
    assertTrue(
        !hash.getMessage().contains("sk-plain-key"), "never echo a key: " + hash.getMessage());
    ConfigException pin = rejected(tenant(new JsonObject().put("min_tier", "medium")));
    assertTrue(
        pin.getMessage().startsWith("tenants[0].min_tier must name one of the tiers"),
        pin.getMessage());
    ConfigException complexity =
        rejected(
            onlyTier(
                new JsonObject()
                    .put("verifier", "in-process")
                    .put("model", "fixtures/models/tandem-verifier")
                    .put("price_per_1k_tokens_usd", 0.002)
                    .put("max_complexity", 1.5)));
    assertTrue(
        complexity.getMessage().startsWith("tiers[0].max_complexity must be a number in [0, 1]"),
        complexity.getMessage());
    ConfigException budget =
        rejected(
            tenant(new JsonObject().put("limits", new JsonObject().put("daily_budget_usd", -1))));
    assertTrue(
        budget.getMessage().startsWith("tenants[0].limits.daily_budget_usd"), budget.getMessage());
  }

  private static JsonObject tierWithPrior(JsonObject prior) {
    return onlyTier(
            new JsonObject()
                .put("verifier", "in-process")
                .put("model", "fixtures/models/tandem-verifier")
                .put("price_per_1k_tokens_usd", 0.002)
                .put("latency_prior", prior))
        .put("default_tier", "t");
  }

  @Test
  void aTierStepPriorReadsInNanosecondsAndIsOptional() {
    TandemConfig config =
        load(
            tierWithPrior(
                new JsonObject()
                    .put("draft_token_ms", 0.25)
                    .put("draft_step_ms", 2)
                    .put("verify_call_ms", 0.5)
                    .put("verify_position_ms", 0.4)));
    assertEquals(
        java.util.Optional.of(new StepPrior(new LatencyModel(250_000, 500_000, 400_000), 2e6)),
        config.tiers().get(0).stepPrior());
    TandemConfig noStep =
        load(
            tierWithPrior(
                new JsonObject()
                    .put("draft_token_ms", 0.25)
                    .put("verify_call_ms", 0.5)
                    .put("verify_position_ms", 0.4)));
    assertEquals(0, noStep.tiers().get(0).stepPrior().orElseThrow().draftStepNanos());
    TandemConfig generic =
        load(
            onlyTier(
                    new JsonObject()
                        .put("verifier", "in-process")
                        .put("model", "fixtures/models/tandem-verifier")
                        .put("price_per_1k_tokens_usd", 0.002))
                .put("default_tier", "t"));
    assertEquals(java.util.Optional.empty(), generic.tiers().get(0).stepPrior());
  }

  @Test
  void badLatencyPriorsAreRejectedByNameWithTheRange() {
    JsonObject full =
        new JsonObject()
            .put("draft_token_ms", 0.25)
            .put("verify_call_ms", 0.5)
            .put("verify_position_ms", 0.4);
    ConfigException missing = rejected(tierWithPrior(full.copy().put("verify_call_ms", null)));
    assertTrue(
        missing
            .getMessage()
            .startsWith(
                "tiers[0].latency_prior.verify_call_ms is required: a number in [0, 60000]"),
        missing.getMessage());
    ConfigException negative = rejected(tierWithPrior(full.copy().put("draft_token_ms", -1)));
    assertTrue(
        negative
            .getMessage()
            .startsWith("tiers[0].latency_prior.draft_token_ms must be a number in [0, 60000]"),
        negative.getMessage());
    ConfigException step = rejected(tierWithPrior(full.copy().put("draft_step_ms", 60_001)));
    assertTrue(
        step.getMessage()
            .startsWith("tiers[0].latency_prior.draft_step_ms must be a number in [0, 60000]"),
        step.getMessage());
    ConfigException free = rejected(tierWithPrior(full.copy().put("verify_position_ms", 0)));
    assertTrue(
        free.getMessage().startsWith("tiers[0].latency_prior.verify_position_ms must be above 0"),
        free.getMessage());
    ConfigException unknown = rejected(tierWithPrior(full.copy().put("call_ms", 1)));
    assertTrue(
        unknown.getMessage().startsWith("tiers[0].latency_prior.call_ms is not a known key"),
        unknown.getMessage());
  }
}
