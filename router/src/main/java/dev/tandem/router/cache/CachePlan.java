package dev.tandem.router.cache;

import dev.tandem.router.cache.CacheSettings.Semantic;
import io.vertx.core.Future;

/**
 * What the cache does for one request: which lookups run and whether its answer is stored. Made by
 * {@link ResponseCache#plan}; the semantic query is filled in by the lookup (or the store) and
 * reused, so a prompt is embedded once.
 *
 * <p>Threading: used on the request's context only (the query's future is created there and
 * completes there).
 */
public final class CachePlan {

  final String tenant;
  final String tier;
  final String scope;
  final String exactKey;
  final String prompt;
  final boolean lookupExact;
  final boolean lookupSemantic;
  final Semantic semantic;
  private Future<SemanticQuery> query;

  CachePlan(
      String tenant,
      String tier,
      String scope,
      String exactKey,
      String prompt,
      boolean lookupExact,
      boolean lookupSemantic,
      Semantic semantic) {
    this.tenant = tenant;
    this.tier = tier;
    this.scope = scope;
    this.exactKey = exactKey;
    this.prompt = prompt;
    this.lookupExact = lookupExact;
    this.lookupSemantic = lookupSemantic;
    this.semantic = semantic;
  }

  /** The query, computed at most once by {@code compute} (on the request's context). */
  Future<SemanticQuery> query(java.util.function.Supplier<Future<SemanticQuery>> compute) {
    if (query == null) {
      query = compute.get();
    }
    return query;
  }

  /** The prompt's embedding, facts and index buckets. */
  record SemanticQuery(float[] vector, PromptFacts facts, java.util.List<String> buckets) {}

  /** The exact key: the id the answer is stored under. */
  public String exactKey() {
    return exactKey;
  }

  public boolean lookupExact() {
    return lookupExact;
  }

  public boolean lookupSemantic() {
    return lookupSemantic;
  }
}
