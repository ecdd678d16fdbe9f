package dev.tandem.router.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.GenerationRequest.CacheMode;
import dev.tandem.router.cache.CacheMetrics.Result;
import dev.tandem.router.cache.CacheSettings.Semantic;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The response cache: exact first, then (where enabled) semantic; stores what deterministic
 * requests generated. Every lookup is scoped to the tenant, the tier that serves the request and
 * its parameters ({@link CacheKey#scope}); nothing is cached for a sampled request without a fixed
 * seed or one that asked for {@code cache: bypass}.
 *
 * <p><b>Semantic lookups</b>: the prompt's embedding picks LSH buckets; their entries are compared
 * by exact cosine; the most similar one at or above the threshold whose facts pass the {@link
 * SemanticGuard} is served, provided it is younger than the semantic TTL. A semantic hit returns
 * another prompt's answer and says so.
 *
 * <p><b>Failures</b>: a store that fails makes the lookup a miss (counted as {@code
 * result="error"}) and the request runs normally; a failed store write is logged at FINE and
 * otherwise ignored.
 *
 * <p>Threading: {@link #plan} is pure; {@link #lookup} and {@link #store} are called on the
 * request's context and run embeddings on its worker pool, never on the event loop.
 */
public final class ResponseCache {

  private static final Logger LOG = Logger.getLogger(ResponseCache.class.getName());

  /** Most semantic candidates compared per lookup. */
  static final int MAX_CANDIDATES = 256;

  /**
   * Wall-clock time in nanoseconds, for entry ages: routers sharing a store compare them (within
   * their clocks' skew), which a per-JVM {@code System.nanoTime} would not allow.
   */
  public static final Ticker WALL_CLOCK = () -> System.currentTimeMillis() * 1_000_000L;

  /** Caches nothing. */
  public static final ResponseCache DISABLED =
      new ResponseCache(
          CacheSettings.OFF,
          new InMemoryCacheStore(1),
          HashedNgramEmbedder.terms(),
          CacheMetrics.NONE,
          Ticker.systemTicker());

  private final CacheSettings settings;
  private final CacheStore store;
  private final Embedder embedder;
  private final LshIndex index;
  private final CacheMetrics metrics;
  private final Ticker ticker;

  /**
   * @param settings the {@code cache:} section
   * @param store where entries live (outlives configurations)
   * @param embedder the semantic index's embedder
   * @param metrics lookups and savings
   * @param ticker entry ages ({@link #WALL_CLOCK} in a router; a test drives its own)
   */
  public ResponseCache(
      CacheSettings settings,
      CacheStore store,
      Embedder embedder,
      CacheMetrics metrics,
      Ticker ticker) {
    this.settings = settings;
    this.store = store;
    this.embedder = embedder;
    this.index = new LshIndex(embedder.dimension(), settings.lshTables(), settings.lshBits());
    this.metrics = metrics;
    this.ticker = ticker;
  }

  public CacheSettings settings() {
    return settings;
  }

  public Embedder embedder() {
    return embedder;
  }

  /**
   * What the cache may do for a request served by {@code tier}; empty when it may do nothing
   * (bypass, not deterministic, or every kind off).
   *
   * @param prompt the prompt as the model reads it (chat rendered with its template)
   */
  public Optional<CachePlan> plan(
      GenerationRequest request, String tenant, String tier, String model, String prompt) {
    if (request.cache() == CacheMode.BYPASS || !request.deterministic()) {
      return Optional.empty();
    }
    Semantic semantic = settings.semanticFor(tenant, tier);
    boolean lookupSemantic =
        request.cache() == CacheMode.SEMANTIC
            || request.cache() == CacheMode.AUTO && semantic.enabled();
    boolean lookupExact = settings.exactEnabled();
    boolean storeAnything = lookupExact || lookupSemantic || settings.semanticAnywhere();
    if (!storeAnything) {
      return Optional.empty();
    }
    String scope =
        CacheKey.scope(
            tenant, tier, model, request.sampling(), request.maxTokens(), request.stop());
    return Optional.of(
        new CachePlan(
            tenant,
            tier,
            scope,
            CacheKey.exact(scope, prompt),
            prompt,
            lookupExact,
            lookupSemantic,
            semantic));
  }

  /** Exact, then semantic; completes (never fails) with the hit or empty. */
  public Future<Optional<CacheHit>> lookup(CachePlan plan, Context context) {
    Future<Optional<CacheHit>> exact =
        plan.lookupExact
            ? store
                .get(plan.exactKey)
                .map(
                    found -> {
                      Optional<CacheHit> hit =
                          found.filter(e -> e.tenant().equals(plan.tenant)).map(this::exactHit);
                      metrics.lookup(CacheKind.EXACT, hit.isPresent() ? Result.HIT : Result.MISS);
                      hit.ifPresent(
                          h -> metrics.saved(plan.tier, CacheKind.EXACT, h.entry().costUsd()));
                      return hit;
                    })
                .recover(e -> failed(CacheKind.EXACT, e))
            : Future.succeededFuture(Optional.empty());
    return exact.compose(
        hit ->
            hit.isEmpty() && plan.lookupSemantic
                ? semantic(plan, context)
                : Future.succeededFuture(hit));
  }

  private CacheHit exactHit(CacheEntry entry) {
    return new CacheHit(entry, CacheKind.EXACT, 1.0);
  }

  private Future<Optional<CacheHit>> failed(CacheKind kind, Throwable e) {
    LOG.log(Level.FINE, "cache lookup failed; serving as a miss", e);
    metrics.lookup(kind, Result.ERROR);
    return Future.succeededFuture(Optional.empty());
  }

  private Future<Optional<CacheHit>> semantic(CachePlan plan, Context context) {
    return query(plan, context)
        .compose(q -> store.candidates(q.buckets(), MAX_CANDIDATES).map(c -> best(plan, q, c)))
        .map(
            ranked -> {
              metrics.lookup(CacheKind.SEMANTIC, ranked.result());
              ranked
                  .hit()
                  .ifPresent(
                      h -> metrics.saved(plan.tier, CacheKind.SEMANTIC, h.entry().costUsd()));
              return ranked.hit();
            })
        .recover(e -> failed(CacheKind.SEMANTIC, e));
  }

  /** The plan's embedding, facts and buckets, computed once on a worker thread. */
  private Future<CachePlan.SemanticQuery> query(CachePlan plan, Context context) {
    return plan.query(
        () ->
            context.executeBlocking(
                () -> {
                  float[] vector = embedder.embed(plan.prompt);
                  return new CachePlan.SemanticQuery(
                      vector,
                      PromptFacts.of(plan.prompt),
                      index.bucketKeys(bucketScope(plan), vector));
                },
                false));
  }

  /**
   * Starts embedding the prompt while the request generates, so that storing its answer waits for
   * nothing. Call on the request's context.
   */
  public void prepare(CachePlan plan, Context context) {
    query(plan, context);
  }

  private String bucketScope(CachePlan plan) {
    return plan.scope + ":" + embedder.name();
  }

  /** The outcome of ranking candidates. */
  record Ranked(Optional<CacheHit> hit, Result result) {}

  /**
   * The most similar candidate of this tenant and scope at or above the threshold, young enough,
   * that the guard lets through.
   */
  Ranked best(CachePlan plan, CachePlan.SemanticQuery q, List<CacheEntry> candidates) {
    long now = ticker.read();
    long maxAge = plan.semantic.ttl().toNanos();
    CacheEntry best = null;
    double bestSimilarity = -2;
    boolean guarded = false;
    List<CacheEntry> ordered =
        candidates.stream()
            .filter(e -> e.tenant().equals(plan.tenant) && e.scope().equals(plan.scope))
            .filter(e -> now - e.createdNanos() < maxAge)
            .filter(
                e ->
                    e.semantic().isPresent()
                        && e.semantic().get().embedder().equals(embedder.name()))
            .toList();
    for (CacheEntry e : ordered) {
      double similarity = Embedder.cosine(e.semantic().get().vector(), q.vector());
      if (similarity + 1e-6 < plan.semantic.threshold() || similarity <= bestSimilarity) {
        continue;
      }
      if (settings.guard().reject(e.semantic().get().facts(), q.facts()).isPresent()) {
        guarded = true;
        continue;
      }
      best = e;
      bestSimilarity = similarity;
    }
    if (best != null) {
      return new Ranked(
          Optional.of(new CacheHit(best, CacheKind.SEMANTIC, bestSimilarity)), Result.HIT);
    }
    return new Ranked(Optional.empty(), guarded ? Result.GUARDED : Result.MISS);
  }

  /**
   * Stores what a request generated: the entry under its exact key and, indexed by its embedding,
   * in the semantic buckets. The returned future completes once the writes were issued (the
   * in-memory store has then applied them; a remote one applies them in the background, and a
   * failed write is only logged), so a request that waits for it before it ends is visible to the
   * next request.
   */
  public Future<Void> store(CachePlan plan, RecordedAnswer answer, Context context) {
    Duration ttl = settings.exactTtl();
    if (plan.semantic.ttl().compareTo(ttl) > 0) {
      ttl = plan.semantic.ttl();
    }
    Duration entryTtl = ttl;
    return query(plan, context)
        .map(
            q -> {
              CacheEntry entry =
                  new CacheEntry(
                      plan.exactKey,
                      plan.tenant,
                      plan.scope,
                      answer.chunks(),
                      answer.tail(),
                      answer.finish(),
                      answer.promptTokens(),
                      answer.completionTokens(),
                      answer.costUsd(),
                      ticker.read(),
                      entryTtl,
                      Optional.of(new CacheEntry.Semantic(embedder.name(), q.vector(), q.facts())));
              store
                  .put(entry)
                  .compose(v -> store.index(q.buckets(), entry.id(), entryTtl))
                  .onFailure(e -> LOG.log(Level.FINE, "cache store failed; answer not cached", e));
              return (Void) null;
            })
        .otherwise(
            e -> {
              LOG.log(Level.FINE, "cache store failed; answer not cached", e);
              return null;
            });
  }

  /**
   * A finished generation's answer, as the cache keeps it.
   *
   * @param chunks the deltas as streamed
   * @param tail the last chunk's text
   * @param finish why it ended
   * @param promptTokens prompt tokens
   * @param completionTokens tokens generated
   * @param costUsd what it cost
   */
  public record RecordedAnswer(
      List<CacheEntry.Chunk> chunks,
      String tail,
      CacheEntry.Finish finish,
      int promptTokens,
      int completionTokens,
      double costUsd) {}

  /** The store (shared by every configuration of one router). */
  public CacheStore store() {
    return store;
  }
}
