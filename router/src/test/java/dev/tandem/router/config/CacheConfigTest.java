package dev.tandem.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.cache.CacheSettings;
import dev.tandem.router.cache.SemanticGuard;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code cache:} section: defaults, overrides, and errors that name their key. */
class CacheConfigTest extends ConfigFixture {

  static JsonObject cache(JsonObject section) {
    return new JsonObject().put("cache", section);
  }

  static ConfigException error(JsonObject overrides) {
    return assertThrows(ConfigException.class, () -> load(overrides));
  }

  @Test
  void theDefaultCachesExactlyForAnHourAndLeavesSemanticOff() {
    CacheSettings c = load(new JsonObject()).cache();
    assertTrue(c.exactEnabled());
    assertEquals(Duration.ofHours(1), c.exactTtl());
    assertFalse(c.semantic().enabled());
    assertFalse(c.semanticAnywhere());
    assertEquals(0.95, c.semantic().threshold());
    assertEquals(CacheSettings.EmbedderKind.NGRAM, c.embedder());
    assertEquals(SemanticGuard.TERMS, c.guard());
    assertEquals(10_000, c.maxEntries());
  }

  @Test
  void tierAndTenantOverridesInheritTheSectionAndTheTenantWins() {
    JsonObject semantic =
        new JsonObject()
            .put("threshold", 0.9)
            .put("tiers", new JsonObject().put("large", new JsonObject().put("enabled", true)))
            .put(
                "tenants",
                new JsonObject()
                    .put("acme", new JsonObject().put("enabled", false).put("threshold", 0.99)));
    JsonObject overrides =
        cache(new JsonObject().put("semantic", semantic))
            .put(
                "tenants",
                new io.vertx.core.json.JsonArray()
                    .add(
                        new JsonObject()
                            .put("name", "acme")
                            .put(
                                "api_key_sha256",
                                new io.vertx.core.json.JsonArray().add("a".repeat(64)))));
    CacheSettings c = load(overrides).cache();
    assertTrue(c.semanticFor("anyone", "large").enabled());
    assertEquals(0.9, c.semanticFor("anyone", "large").threshold());
    assertFalse(c.semanticFor("anyone", "small").enabled());
    assertFalse(c.semanticFor("acme", "large").enabled());
    assertEquals(0.99, c.semanticFor("acme", "large").threshold());
  }

  @Test
  void badValuesNameTheirKeyAndTheRange() {
    ConfigException e =
        error(cache(new JsonObject().put("semantic", new JsonObject().put("threshold", 1.5))));
    assertEquals("cache.semantic.threshold", e.key());
    assertTrue(e.getMessage().contains("[0, 1]"), e.getMessage());
    e = error(cache(new JsonObject().put("exact", new JsonObject().put("ttl_ms", 10))));
    assertEquals("cache.exact.ttl_ms", e.key());
    assertTrue(e.getMessage().contains("1000..604800000"), e.getMessage());
    e = error(cache(new JsonObject().put("semantic", new JsonObject().put("guard", "maybe"))));
    assertEquals("cache.semantic.guard", e.key());
    assertTrue(e.getMessage().contains("off | facts | terms"), e.getMessage());
    e = error(cache(new JsonObject().put("semantic", new JsonObject().put("embedder", "bert"))));
    assertEquals("cache.semantic.embedder", e.key());
    e =
        error(
            cache(
                new JsonObject()
                    .put(
                        "semantic",
                        new JsonObject()
                            .put("tiers", new JsonObject().put("huge", new JsonObject())))));
    assertEquals("cache.semantic.tiers.huge", e.key());
    assertTrue(e.getMessage().contains("[small, large]"), e.getMessage());
    e = error(cache(new JsonObject().put("max_entry", 5)));
    assertEquals("cache.max_entry", e.key());
    assertTrue(e.getMessage().contains("did you mean 'max_entries'"), e.getMessage());
  }

  @Test
  void theDraftModelEmbedderNeedsADraftModel() {
    JsonObject overrides =
        cache(new JsonObject().put("semantic", new JsonObject().put("embedder", "draft-model")))
            .put("drafting", new JsonObject().put("default", "ngram").putNull("model"))
            .put("default_tier", "t");
    overrides.put(
        "tiers",
        new io.vertx.core.json.JsonArray()
            .add(
                new JsonObject()
                    .put("name", "t")
                    .put("verifier", "in-process")
                    .put("model", "fixtures/models/tandem-verifier")
                    .put("price_per_1k_tokens_usd", 0.001)));
    ConfigException e = error(overrides);
    assertEquals("cache.semantic.embedder", e.key(), e.getMessage());
  }
}
