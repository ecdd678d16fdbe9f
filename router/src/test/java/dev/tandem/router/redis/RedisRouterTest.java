package dev.tandem.router.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.Eventually;
import dev.tandem.router.accounting.ApiKeys;
import dev.tandem.router.boot.TandemRouter;
import dev.tandem.router.config.FileConfigSource;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.connections.ServingVertx;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two routers (the embedded default's models) sharing budgets through one real redis-server, over
 * the OpenAI-compatible HTTP API: the shared budget holds under concurrent requests to both, and
 * losing Redis refuses requests with 503 (fail_closed) until it is back.
 */
class RedisRouterTest {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final String CODE = "def fibonacci(n):\n    if n < 2:\n        return n\n";
  static final double BUDGET_USD = 0.0001;

  static Vertx vertx;
  static RedisServerProcess server;
  static TandemRouter a;
  static TandemRouter b;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = ServingVertx.create();
    server = RedisServerProcess.start();
    a = router();
    b = router();
  }

  static TandemRouter router() throws Exception {
    JsonObject overrides =
        new JsonObject()
            .put("server", new JsonObject().put("port", 0))
            .put("reload", new JsonObject().put("watch", false))
            // identical requests here must each be computed and billed: no response cache
            .put("cache", new JsonObject().put("exact", new JsonObject().put("enabled", false)))
            .put(
                "redis",
                new JsonObject()
                    .put("endpoints", new JsonArray().add(server.url()))
                    // generous: 500 requests at once on this 2-core box, shared with other builds,
                    // delayed replies by over 2 s; stalls are tested with their own timeouts
                    .put("timeout_ms", 10_000)
                    .put("probe_interval_ms", 50))
            .put(
                "tenants",
                new JsonArray()
                    .add(tenant("tight", "sk-tight", BUDGET_USD))
                    .add(tenant("acme", "sk-acme", 0)));
    TandemConfig config =
        new FileConfigSource(vertx, HOME, Optional.empty(), overrides).load().await();
    return TandemRouter.start(vertx, config, line -> {});
  }

  static JsonObject tenant(String name, String key, double dailyUsd) {
    return new JsonObject()
        .put("name", name)
        .put("api_key_sha256", new JsonArray().add(ApiKeys.sha256(key)))
        .put("limits", new JsonObject().put("daily_budget_usd", dailyUsd));
  }

  @AfterAll
  static void stop() {
    a.close();
    b.close();
    server.close();
    vertx.close().await();
  }

  static CompletableFuture<HttpResponse<String>> complete(TandemRouter router, String key) {
    JsonObject body =
        new JsonObject().put("prompt", CODE).put("max_tokens", 8).put("model", "small");
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + "/v1/completions"))
            .timeout(Duration.ofSeconds(120))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(TandemRouter router, String path, String key) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + path))
            .timeout(Duration.ofSeconds(60));
    if (key != null) {
      r.header("Authorization", "Bearer " + key);
    }
    return http.send(r.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void fiveHundredConcurrentRequestsToTwoRoutersNeverOverspendTheSharedBudget() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      sent.add(complete(i % 2 == 0 ? a : b, "sk-tight"));
    }
    int ok = 0;
    for (CompletableFuture<HttpResponse<String>> f : sent) {
      HttpResponse<String> r = f.get(180, TimeUnit.SECONDS);
      if (r.statusCode() == 200) {
        ok++;
      } else {
        assertEquals(429, r.statusCode(), r.body());
        assertEquals(
            "daily_budget_usd", new JsonObject(r.body()).getJsonObject("error").getString("param"));
      }
    }
    assertTrue(ok > 0 && ok < 500, ok + " served");
    for (TandemRouter router : List.of(a, b)) {
      JsonObject usage = new JsonObject(get(router, "/v1/usage", "sk-tight").body());
      double spent = usage.getDouble("total_cost_usd");
      assertTrue(spent > 0 && spent <= BUDGET_USD, "spent " + spent);
      assertEquals(ok, usage.getJsonArray("data").getJsonObject(0).getInteger("requests"));
      assertEquals(0L, router.accounting().reservedNanos("tight").await());
    }
  }

  @Test
  void withoutRedisRequestsAre503UntilItIsBackAndTheStateIsAMetric() throws Exception {
    assertEquals(200, complete(a, "sk-acme").get(120, TimeUnit.SECONDS).statusCode());
    server.kill();
    try {
      HttpResponse<String> refused = complete(a, "sk-acme").get(120, TimeUnit.SECONDS);
      assertEquals(503, refused.statusCode(), refused.body());
      JsonObject error = new JsonObject(refused.body()).getJsonObject("error");
      assertTrue(error.getString("message").contains("fail_closed"), refused.body());
      assertEquals("unavailable", error.getString("code"));
      assertTrue(
          get(a, "/metrics", null).body().contains("tandem_redis_up 0.0"), "gauge shows down");
      assertEquals(503, get(a, "/v1/usage", "sk-acme").statusCode());
    } finally {
      server.restart();
    }
    for (TandemRouter router : List.of(a, b)) {
      Eventually.until(
          () -> complete(router, "sk-acme").join().statusCode() == 200,
          Duration.ofSeconds(30),
          "requests to be served again once Redis is back");
    }
    assertTrue(get(a, "/metrics", null).body().contains("tandem_redis_up 1.0"));
  }
}
