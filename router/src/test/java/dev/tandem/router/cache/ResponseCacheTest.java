package dev.tandem.router.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.GenerationRequest.CacheMode;
import dev.tandem.router.api.GenerationRequest.TextPrompt;
import dev.tandem.router.cache.CacheMetrics.Result;
import dev.tandem.speccore.SamplingParams;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cache without a router: plans, exact and semantic lookups, tenant scope, time to live on a
 * controllable Caffeine ticker, and what it counts.
 */
class ResponseCacheTest {

  static Vertx vertx;
  static Context context;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterAll
  static void stop() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  /** A ticker the test moves. */
  static final class ManualTicker implements Ticker {
    final AtomicLong nanos = new AtomicLong(1);

    @Override
    public long read() {
      return nanos.get();
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }

  /** Counts lookups by kind and result. */
  static final class Counts implements CacheMetrics {
    final List<String> lookups = new ArrayList<>();
    double saved;

    @Override
    public synchronized void lookup(CacheKind kind, Result result) {
      lookups.add(kind.label() + ":" + result.label());
    }

    @Override
    public synchronized void saved(String tier, CacheKind kind, double usd) {
      saved += usd;
    }
  }

  static CacheSettings settings(boolean semanticOn) {
    CacheSettings d = CacheSettings.DEFAULTS;
    return new CacheSettings(
        true,
        Duration.ofMinutes(10),
        new CacheSettings.Semantic(semanticOn, 0.95, Duration.ofMinutes(5)),
        Map.of(),
        Map.of(),
        d.embedder(),
        d.guard(),
        d.lshTables(),
        d.lshBits(),
        1000);
  }

  static GenerationRequest request(
      String prompt, CacheMode mode, float temperature, boolean seeded) {
    return new GenerationRequest(
        "large",
        new TextPrompt(prompt),
        8,
        new SamplingParams(temperature, 1f, 0, 5L),
        List.of(),
        GenerationRequest.Budget.NONE,
        GenerationRequest.SpeculationOverride.DEFAULT,
        mode,
        Map.of(),
        false,
        GenerationRequest.TierPins.NONE,
        seeded);
  }

  static <T> T join(Future<T> f) {
    return f.toCompletionStage().toCompletableFuture().join();
  }

  final ManualTicker ticker = new ManualTicker();
  final Counts counts = new Counts();

  ResponseCache cache(boolean semanticOn) {
    return new ResponseCache(
        settings(semanticOn),
        new InMemoryCacheStore(1000, ticker),
        HashedNgramEmbedder.terms(),
        counts,
        ticker);
  }

  static CachePlan plan(ResponseCache cache, String tenant, String prompt, CacheMode mode) {
    return cache.plan(request(prompt, mode, 0f, false), tenant, "large", "m", prompt).orElseThrow();
  }

  static final ResponseCache.RecordedAnswer ANSWER =
      new ResponseCache.RecordedAnswer(
          List.of(
              new CacheEntry.Chunk("Use ", new int[] {1}),
              new CacheEntry.Chunk("sorted", new int[] {2})),
          "().",
          CacheEntry.Finish.EOS,
          9,
          3,
          0.25);

  @Test
  void onlyDeterministicRequestsThatDoNotBypassArePlanned() {
    ResponseCache cache = cache(false);
    assertTrue(
        cache.plan(request("p", CacheMode.AUTO, 0f, false), "t", "large", "m", "p").isPresent());
    assertTrue(
        cache.plan(request("p", CacheMode.AUTO, 0.7f, true), "t", "large", "m", "p").isPresent());
    assertFalse(
        cache.plan(request("p", CacheMode.AUTO, 0.7f, false), "t", "large", "m", "p").isPresent());
    assertFalse(
        cache.plan(request("p", CacheMode.BYPASS, 0f, false), "t", "large", "m", "p").isPresent());
  }

  @Test
  void semanticIsOffByDefaultAndOnPerRequestOrByConfig() {
    assertFalse(plan(cache(false), "t", "p", CacheMode.AUTO).lookupSemantic());
    assertTrue(plan(cache(false), "t", "p", CacheMode.SEMANTIC).lookupSemantic());
    assertFalse(plan(cache(true), "t", "p", CacheMode.EXACT).lookupSemantic());
    assertTrue(plan(cache(true), "t", "p", CacheMode.AUTO).lookupSemantic());
    assertFalse(CacheSettings.DEFAULTS.semanticAnywhere());
  }

  @Test
  void anExactHitIsTheStoredAnswerAndCountsItsSaving() {
    ResponseCache cache = cache(false);
    String prompt = "How do I sort a dictionary by its values?";
    assertEquals(
        Optional.empty(), join(cache.lookup(plan(cache, "acme", prompt, CacheMode.AUTO), context)));
    join(cache.store(plan(cache, "acme", prompt, CacheMode.AUTO), ANSWER, context));
    CacheHit hit =
        join(cache.lookup(plan(cache, "acme", prompt, CacheMode.AUTO), context)).orElseThrow();
    assertEquals(CacheKind.EXACT, hit.kind());
    assertEquals("Use sorted().", hit.entry().text());
    assertEquals(List.of("exact:miss", "exact:hit"), counts.lookups);
    assertEquals(0.25, counts.saved);
  }

  @Test
  void aTenantNeverSeesAnotherTenantsEntryExactOrSemantic() {
    ResponseCache cache = cache(true);
    String prompt = "How do I sort a dictionary by its values?";
    join(cache.store(plan(cache, "acme", prompt, CacheMode.AUTO), ANSWER, context));
    assertEquals(
        Optional.empty(),
        join(cache.lookup(plan(cache, "other", prompt, CacheMode.SEMANTIC), context)));
    assertEquals(
        Optional.empty(),
        join(
            cache.lookup(
                plan(cache, "other", "How can I sort a dict by value?", CacheMode.SEMANTIC),
                context)));
  }

  @Test
  void entriesExpireAfterTheirTtlOnTheTicker() {
    ResponseCache cache = cache(true);
    String prompt = "Generate a random UUID in Python.";
    join(cache.store(plan(cache, "acme", prompt, CacheMode.AUTO), ANSWER, context));
    String paraphrase = "How do I generate a random UUID with Python?";
    ticker.advance(Duration.ofMinutes(4));
    assertTrue(
        join(cache.lookup(plan(cache, "acme", paraphrase, CacheMode.SEMANTIC), context))
            .isPresent());
    ticker.advance(Duration.ofMinutes(2)); // 6 min: past the semantic TTL (5), within the exact one
    assertEquals(
        Optional.empty(),
        join(cache.lookup(plan(cache, "acme", paraphrase, CacheMode.SEMANTIC), context)));
    assertTrue(
        join(cache.lookup(plan(cache, "acme", prompt, CacheMode.AUTO), context)).isPresent());
    ticker.advance(Duration.ofMinutes(5)); // 11 min: past both
    assertEquals(
        Optional.empty(), join(cache.lookup(plan(cache, "acme", prompt, CacheMode.AUTO), context)));
  }

  @Test
  void aSemanticHitNamesTheCachedPromptAndANearMissIsCountedAsGuarded() {
    ResponseCache cache = cache(true);
    CachePlan stored =
        plan(cache, "acme", "How do I sort a dictionary by its values?", CacheMode.AUTO);
    join(cache.store(stored, ANSWER, context));
    CacheHit hit =
        join(cache.lookup(
                plan(cache, "acme", "How can I sort a dict by value?", CacheMode.AUTO), context))
            .orElseThrow();
    assertEquals(CacheKind.SEMANTIC, hit.kind());
    assertEquals(stored.exactKey(), hit.marker().promptId());
    assertTrue(hit.similarity() >= 0.95, "similarity " + hit.similarity());
    counts.lookups.clear();
    // "keys" vs "values": close in embedding space only when the guard is off
    CacheSettings s = settings(true);
    ResponseCache lowThreshold =
        new ResponseCache(
            new CacheSettings(
                true,
                s.exactTtl(),
                new CacheSettings.Semantic(true, 0.3, Duration.ofMinutes(5)),
                Map.of(),
                Map.of(),
                s.embedder(),
                SemanticGuard.TERMS,
                s.lshTables(),
                4,
                1000),
            new InMemoryCacheStore(1000, ticker),
            HashedNgramEmbedder.terms(),
            counts,
            ticker);
    join(
        lowThreshold.store(
            plan(lowThreshold, "acme", "Sort a dictionary by its values.", CacheMode.AUTO),
            ANSWER,
            context));
    counts.lookups.clear();
    assertEquals(
        Optional.empty(),
        join(
            lowThreshold.lookup(
                plan(lowThreshold, "acme", "Sort a dictionary by its keys.", CacheMode.AUTO),
                context)));
    assertEquals(List.of("exact:miss", "semantic:guarded"), counts.lookups);
  }

  @Test
  void aFailingStoreIsAMissNeverAFailedRequest() {
    CacheStore broken =
        new CacheStore() {
          @Override
          public Future<Optional<CacheEntry>> get(String id) {
            return Future.failedFuture(new IllegalStateException("store down"));
          }

          @Override
          public Future<Void> put(CacheEntry entry) {
            return Future.failedFuture(new IllegalStateException("store down"));
          }

          @Override
          public Future<Void> index(List<String> keys, String id, Duration ttl) {
            return Future.failedFuture(new IllegalStateException("store down"));
          }

          @Override
          public Future<List<CacheEntry>> candidates(List<String> keys, int limit) {
            return Future.failedFuture(new IllegalStateException("store down"));
          }

          @Override
          public long size() {
            return 0;
          }

          @Override
          public void close() {}
        };
    ResponseCache cache =
        new ResponseCache(settings(true), broken, HashedNgramEmbedder.terms(), counts, ticker);
    assertEquals(
        Optional.empty(),
        join(cache.lookup(plan(cache, "acme", "p q r", CacheMode.AUTO), context)));
    assertEquals(List.of("exact:error", "semantic:error"), counts.lookups);
    join(cache.store(plan(cache, "acme", "p q r", CacheMode.AUTO), ANSWER, context)); // no throw
  }
}
