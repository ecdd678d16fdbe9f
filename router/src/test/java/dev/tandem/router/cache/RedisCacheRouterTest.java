package dev.tandem.router.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.Eventually;
import dev.tandem.router.boot.TandemRouter;
import dev.tandem.router.config.FileConfigSource;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.redis.RedisServerProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two routers (the embedded default's models) sharing the response cache through one real
 * redis-server: what one generated, the other serves (exact and semantic); with Redis gone,
 * requests are generated (budgets fail open here), never failed, and the cache works again when
 * Redis is back.
 */
class RedisCacheRouterTest {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static Vertx vertx;
  static RedisServerProcess server;
  static TandemRouter a;
  static TandemRouter b;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = RedisServerProcess.start();
    a = router();
    b = router();
  }

  static TandemRouter router() throws Exception {
    JsonObject overrides =
        new JsonObject()
            .put("server", new JsonObject().put("port", 0))
            .put("reload", new JsonObject().put("watch", false))
            .put(
                "redis",
                new JsonObject()
                    .put("endpoints", new JsonArray().add(server.url()))
                    .put("timeout_ms", 5_000) // a busy test box is not a dead Redis
                    .put("probe_interval_ms", 50)
                    .put("on_failure", "fail_open"));
    TandemConfig config =
        new FileConfigSource(vertx, HOME, Optional.empty(), overrides)
            .load()
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    return TandemRouter.start(vertx, config, line -> {});
  }

  @AfterAll
  static void stop() {
    a.close();
    b.close();
    server.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  static JsonObject complete(TandemRouter router, JsonObject body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + router.port() + "/v1/completions"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  static JsonObject greedy(String prompt) {
    return new JsonObject().put("model", "large").put("prompt", prompt).put("max_tokens", 10);
  }

  static JsonObject tandem(JsonObject response) {
    return response.getJsonObject("usage").getJsonObject("tandem");
  }

  static String text(JsonObject response) {
    return response.getJsonArray("choices").getJsonObject(0).getString("text");
  }

  @Test
  void whatOneRouterGeneratedTheOtherServesExactAndSemantic() throws Exception {
    JsonObject generated = complete(a, greedy("How do I sort a dictionary by its values?"));
    assertFalse(tandem(generated).getBoolean("cached"));
    JsonObject exact = complete(b, greedy("How do I sort a dictionary by its values?"));
    assertEquals("exact", tandem(exact).getJsonObject("cache").getString("kind"));
    assertEquals(text(generated), text(exact));
    assertEquals(0.0, tandem(exact).getDouble("cost_usd"));
    JsonObject semantic =
        complete(b, greedy("How can I sort a dict by value?").put("cache", "semantic"));
    assertEquals("semantic", tandem(semantic).getJsonObject("cache").getString("kind"));
    assertEquals(text(generated), text(semantic));
  }

  @Test
  void withRedisGoneRequestsAreGeneratedNeverFailedAndTheCacheComesBack() throws Exception {
    JsonObject body = greedy("import json\nimport os\n");
    complete(a, body);
    assertTrue(tandem(complete(b, body)).getBoolean("cached"));
    server.kill();
    try {
      JsonObject duringOutage = complete(b, body);
      assertFalse(tandem(duringOutage).getBoolean("cached"), "a miss while Redis is down");
    } finally {
      server.restart();
    }
    Eventually.until(
        () -> {
          try {
            complete(a, body); // stores again (the restarted Redis may have lost it)
            return tandem(complete(b, body)).getBoolean("cached");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        Duration.ofSeconds(20),
        "a hit once Redis is back");
  }
}
