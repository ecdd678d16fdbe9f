package dev.tandem.router.config;

import dev.tandem.router.cache.CacheSettings;
import dev.tandem.router.cache.CacheSettings.EmbedderKind;
import dev.tandem.router.cache.CacheSettings.Semantic;
import dev.tandem.router.cache.SemanticGuard;
import dev.tandem.router.config.TandemConfig.Cost;
import dev.tandem.router.config.TandemConfig.Drafting;
import dev.tandem.router.config.TandemConfig.Tier;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code cache:} section: {@code max_entries}, {@code exact: {enabled, ttl_ms}}, {@code
 * semantic: {enabled, threshold, ttl_ms, embedder, guard, lsh_tables, lsh_bits, tiers, tenants}}
 * where {@code tiers} and {@code tenants} map a configured name to its own {@code {enabled,
 * threshold, ttl_ms}} (unset keys take the section's). Errors name the key. Stateless.
 */
final class CacheConfigReader {

  private CacheConfigReader() {}

  /** Longest time to live: 7 days. */
  static final int MAX_TTL_MS = 7 * 24 * 3_600_000;

  static CacheSettings read(ConfigNode n, List<Tier> tiers, Cost cost, Drafting drafting) {
    CacheSettings d = CacheSettings.DEFAULTS;
    long maxEntries = n.integer("max_entries", 1, 100_000_000, (int) d.maxEntries());
    ConfigNode e = n.object("exact");
    boolean exact = e.bool("enabled", d.exactEnabled());
    Duration exactTtl = ttl(e, d.exactTtl());
    e.finish();
    ConfigNode s = n.object("semantic");
    Semantic semantic = semantic(s, d.semantic());
    EmbedderKind embedder = s.oneOf("embedder", EmbedderKind.class, d.embedder());
    if (embedder == EmbedderKind.DRAFT_MODEL && drafting.draftModel().isEmpty()) {
      throw s.error("embedder", "is 'draft-model' but drafting.model names no draft model");
    }
    SemanticGuard guard = s.oneOf("guard", SemanticGuard.class, d.guard());
    int tables = s.integer("lsh_tables", 1, 64, d.lshTables());
    int bits = s.integer("lsh_bits", 1, 32, d.lshBits());
    Map<String, Semantic> byTier =
        overrides(s.object("tiers"), semantic, tiers.stream().map(Tier::name).toList(), "tier");
    Map<String, Semantic> byTenant =
        overrides(
            s.object("tenants"),
            semantic,
            cost.tenants().stream().map(TandemConfig.TenantConfig::name).toList(),
            "tenant");
    s.finish();
    n.finish();
    return new CacheSettings(
        exact, exactTtl, semantic, byTier, byTenant, embedder, guard, tables, bits, maxEntries);
  }

  private static Semantic semantic(ConfigNode s, Semantic defaults) {
    return new Semantic(
        s.bool("enabled", defaults.enabled()),
        s.has("threshold") ? s.fraction("threshold") : defaults.threshold(),
        ttl(s, defaults.ttl()));
  }

  private static Duration ttl(ConfigNode n, Duration defaultTtl) {
    return Duration.ofMillis(n.integer("ttl_ms", 1000, MAX_TTL_MS, (int) defaultTtl.toMillis()));
  }

  private static Map<String, Semantic> overrides(
      ConfigNode node, Semantic defaults, List<String> known, String what) {
    Map<String, Semantic> map = new LinkedHashMap<>();
    for (String name : node.keys()) {
      if (!known.contains(name)) {
        throw node.error(
            name, "must name a configured " + what + " " + known + ", got '" + name + "'");
      }
      ConfigNode o = node.object(name);
      map.put(name, semantic(o, defaults));
      o.finish();
    }
    node.finish();
    return map;
  }
}
