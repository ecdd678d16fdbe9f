package dev.tandem.router.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.Eventually;
import dev.tandem.router.api.GenerationRequest.CacheMode;
import dev.tandem.router.config.TandemConfig.RedisFailurePolicy;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.router.redis.RedisConnection;
import dev.tandem.router.redis.RedisServerProcess;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cache on a real redis-server: entries round-trip with their TTL, two routers (each its own
 * connection) share exact and semantic hits, and a Redis that is down makes lookups misses, never
 * failures, until it is back.
 */
class RedisCacheStoreTest {

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

  static <T> T join(Future<T> f) {
    return f.toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  static RedisConnection connect(RedisServerProcess server) {
    return RedisConnection.open(
        vertx,
        server.config(
            Duration.ofSeconds(5),
            RedisFailurePolicy.FAIL_CLOSED), // a busy test box is not a dead Redis
        Optional.empty(),
        RouterMetrics.newRegistry());
  }

  static ResponseCache cache(RedisConnection redis, ResponseCacheTest.Counts counts) {
    return new ResponseCache(
        ResponseCacheTest.settings(false),
        new RedisCacheStore(redis, "test"),
        HashedNgramEmbedder.terms(),
        counts,
        com.github.benmanes.caffeine.cache.Ticker.systemTicker());
  }

  @Test
  void anEntryRoundTripsWithItsTokensVectorAndTtl() {
    try (RedisServerProcess server = RedisServerProcess.start();
        RedisConnection redis = connect(server)) {
      RedisCacheStore store = new RedisCacheStore(redis, "test");
      float[] vector = HashedNgramEmbedder.terms().embed("sort a dict");
      CacheEntry entry =
          new CacheEntry(
              "abc",
              "acme",
              "scope",
              List.of(
                  new CacheEntry.Chunk("Use ", new int[] {5, 6}),
                  new CacheEntry.Chunk("é", new int[] {})),
              "!",
              CacheEntry.Finish.STOP,
              7,
              2,
              0.125,
              42L,
              Duration.ofSeconds(90),
              Optional.of(new CacheEntry.Semantic("e", vector, PromptFacts.of("Not 3 for Alice"))));
      join(store.put(entry));
      CacheEntry back = join(store.get("abc")).orElseThrow();
      assertEquals("Use é!", back.text());
      assertArrayEquals(new int[] {5, 6}, back.chunks().getFirst().tokens());
      assertEquals(CacheEntry.Finish.STOP, back.finish());
      assertEquals(0.125, back.costUsd());
      assertArrayEquals(vector, back.semantic().orElseThrow().vector());
      assertEquals(PromptFacts.of("Not 3 for Alice"), back.semantic().orElseThrow().facts());
      long pttl = join(redis.send(Request.cmd(Command.PTTL).arg("test:cache:e:abc"))).toLong();
      assertTrue(pttl > 80_000 && pttl <= 90_000, "PTTL " + pttl);
      join(store.index(List.of("b1"), "abc", Duration.ofSeconds(30)));
      join(store.index(List.of("b1"), "abc", Duration.ofSeconds(60))); // the newest entry's TTL
      long bucketTtl = join(redis.send(Request.cmd(Command.PTTL).arg("test:cache:b:b1"))).toLong();
      assertTrue(bucketTtl > 50_000 && bucketTtl <= 60_000, "bucket PTTL " + bucketTtl);
      assertEquals(1, join(store.candidates(List.of("b1", "b2"), 10)).size());
    }
  }

  @Test
  void twoRoutersShareExactAndSemanticHits() {
    try (RedisServerProcess server = RedisServerProcess.start();
        RedisConnection first = connect(server);
        RedisConnection second = connect(server)) {
      ResponseCacheTest.Counts counts = new ResponseCacheTest.Counts();
      ResponseCache a = cache(first, counts);
      ResponseCache b = cache(second, counts);
      String prompt = "How do I sort a dictionary by its values?";
      join(
          a.store(
              ResponseCacheTest.plan(a, "acme", prompt, CacheMode.AUTO),
              ResponseCacheTest.ANSWER,
              context));
      Eventually.until(
          () ->
              join(b.lookup(ResponseCacheTest.plan(b, "acme", prompt, CacheMode.AUTO), context))
                  .isPresent(),
          Duration.ofSeconds(5),
          "the other router's exact entry");
      CacheHit hit =
          join(b.lookup(
                  ResponseCacheTest.plan(
                      b, "acme", "How can I sort a dict by value?", CacheMode.SEMANTIC),
                  context))
              .orElseThrow();
      assertEquals(CacheKind.SEMANTIC, hit.kind());
      assertEquals(
          Optional.empty(),
          join(b.lookup(ResponseCacheTest.plan(b, "other", prompt, CacheMode.SEMANTIC), context)));
    }
  }

  @Test
  void aRedisThatIsDownMakesLookupsMissesUntilItIsBack() {
    try (RedisServerProcess server = RedisServerProcess.start();
        RedisConnection redis = connect(server)) {
      ResponseCacheTest.Counts counts = new ResponseCacheTest.Counts();
      ResponseCache cache = cache(redis, counts);
      String prompt = "Generate a random UUID in Python.";
      join(
          cache.store(
              ResponseCacheTest.plan(cache, "acme", prompt, CacheMode.AUTO),
              ResponseCacheTest.ANSWER,
              context));
      server.kill();
      assertEquals(
          Optional.empty(),
          join(
              cache.lookup(
                  ResponseCacheTest.plan(cache, "acme", prompt, CacheMode.SEMANTIC), context)));
      assertTrue(counts.lookups.contains("exact:error"), counts.lookups.toString());
      join(
          cache.store(
              ResponseCacheTest.plan(cache, "acme", "x y", CacheMode.AUTO),
              ResponseCacheTest.ANSWER,
              context));
      server.restart();
      Eventually.until(
          () -> {
            join(
                cache.store(
                    ResponseCacheTest.plan(cache, "acme", prompt, CacheMode.AUTO),
                    ResponseCacheTest.ANSWER,
                    context));
            return join(cache.lookup(
                    ResponseCacheTest.plan(cache, "acme", prompt, CacheMode.AUTO), context))
                .isPresent();
          },
          Duration.ofSeconds(10),
          "a hit once Redis is back");
    }
  }
}
