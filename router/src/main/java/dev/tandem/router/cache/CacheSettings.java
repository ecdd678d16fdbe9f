package dev.tandem.router.cache;

import java.time.Duration;
import java.util.Map;

/**
 * The {@code cache:} section, typed: the exact cache, the semantic cache's defaults and its
 * overrides per tier and per tenant, the embedder, the guard, the LSH index and the in-memory
 * store's bound.
 *
 * @param exactEnabled whether the exact cache serves and stores (on by default)
 * @param exactTtl how long an exact entry is kept
 * @param semantic the semantic cache for tenants and tiers without an override (off by default)
 * @param tiers overrides by tier name
 * @param tenants overrides by tenant name (a tenant's override wins over its tier's)
 * @param embedder which embedder indexes prompts
 * @param guard what must match beyond the similarity threshold
 * @param lshTables LSH tables
 * @param lshBits hyperplanes per table
 * @param maxEntries most entries the in-memory store holds (restart needed)
 */
public record CacheSettings(
    boolean exactEnabled,
    Duration exactTtl,
    Semantic semantic,
    Map<String, Semantic> tiers,
    Map<String, Semantic> tenants,
    EmbedderKind embedder,
    SemanticGuard guard,
    int lshTables,
    int lshBits,
    long maxEntries) {

  public CacheSettings {
    tiers = Map.copyOf(tiers);
    tenants = Map.copyOf(tenants);
  }

  /**
   * The semantic cache for one tenant or tier.
   *
   * @param enabled whether requests with {@code cache: auto} look it up
   * @param threshold least cosine similarity of a hit, in [0, 1]
   * @param ttl how long an entry may answer similar prompts
   */
  public record Semantic(boolean enabled, double threshold, Duration ttl) {}

  /** The embedders a config may name ({@code cache.semantic.embedder}). */
  public enum EmbedderKind {
    /** hashed content terms and their trigrams ({@link HashedNgramEmbedder.Mode#TERMS}) */
    NGRAM,
    /** hashed character 3..5-grams of the raw text ({@link HashedNgramEmbedder.Mode#CHARS}) */
    NGRAM_CHARS,
    /** mean-pooled final hidden states of the draft model ({@code drafting.model}) */
    DRAFT_MODEL;

    public String configName() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** Default semantic threshold (cosine). */
  public static final double DEFAULT_THRESHOLD = 0.95;

  /** The built-in defaults: exact on for an hour, semantic off, 10,000 entries. */
  public static final CacheSettings DEFAULTS =
      new CacheSettings(
          true,
          Duration.ofHours(1),
          new Semantic(false, DEFAULT_THRESHOLD, Duration.ofHours(1)),
          Map.of(),
          Map.of(),
          EmbedderKind.NGRAM,
          SemanticGuard.TERMS,
          8,
          12,
          10_000);

  /** No caching at all. */
  public static final CacheSettings OFF =
      new CacheSettings(
          false,
          Duration.ofHours(1),
          new Semantic(false, DEFAULT_THRESHOLD, Duration.ofHours(1)),
          Map.of(),
          Map.of(),
          EmbedderKind.NGRAM,
          SemanticGuard.TERMS,
          8,
          12,
          10_000);

  /** The semantic settings for a request of {@code tenant} served by {@code tier}. */
  public Semantic semanticFor(String tenant, String tier) {
    Semantic byTenant = tenants.get(tenant);
    if (byTenant != null) {
      return byTenant;
    }
    return tiers.getOrDefault(tier, semantic);
  }

  /** Whether any tenant or tier turns the semantic cache on by config. */
  public boolean semanticAnywhere() {
    return semantic.enabled()
        || tiers.values().stream().anyMatch(Semantic::enabled)
        || tenants.values().stream().anyMatch(Semantic::enabled);
  }
}
