package dev.tandem.router.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.boot.TandemRouter;
import dev.tandem.router.config.FileConfigSource;
import dev.tandem.router.config.TandemConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded default's two tiers (small = the fixture draft model, large = the fixture verifier)
 * behind tenants with API keys, quotas and budgets, through the OpenAI-compatible HTTP API.
 */
class CostControlRouterTest {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final String CODE = "def fibonacci(n):\n    if n < 2:\n        return n\n";
  static final String PROSE =
      "The package is distributed in the hope that it will be useful, but without any warranty";

  static Vertx vertx;
  static TandemRouter router;
  static HttpClient http = HttpClient.newHttpClient();

  static JsonObject tenant(String name, String key, JsonObject limits) {
    return new JsonObject()
        .put("name", name)
        .put("api_key_sha256", new JsonArray().add(ApiKeys.sha256(key)))
        .put("tags", new JsonObject().put("team", name + "-team"))
        .put("limits", limits);
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    JsonObject overrides =
        new JsonObject()
            .put("server", new JsonObject().put("port", 0))
            .put("reload", new JsonObject().put("watch", false))
            // identical requests here must each be computed and billed: no response cache
            .put("cache", new JsonObject().put("exact", new JsonObject().put("enabled", false)))
            .put(
                "tenants",
                new JsonArray()
                    .add(tenant("acme", "sk-acme", new JsonObject()))
                    .add(
                        tenant(
                            "limited",
                            "sk-limited",
                            new JsonObject().put("requests_per_minute", 2)))
                    .add(
                        tenant(
                            "tight",
                            "sk-tight",
                            new JsonObject().put("daily_budget_usd", 0.0001))));
    TandemConfig config =
        new FileConfigSource(vertx, HOME, Optional.empty(), overrides)
            .load()
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    router = TandemRouter.start(vertx, config, line -> {});
  }

  @AfterAll
  static void stop() {
    router.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  static HttpRequest.Builder request(String path, String key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + path))
            .timeout(java.time.Duration.ofSeconds(60));
    return key == null ? b : b.header("Authorization", "Bearer " + key);
  }

  static CompletableFuture<HttpResponse<String>> complete(String key, JsonObject body) {
    return http.sendAsync(
        request("/v1/completions", key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path, String key) throws Exception {
    return http.send(request(path, key).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject prompt(String text, int maxTokens) {
    return new JsonObject().put("prompt", text).put("max_tokens", maxTokens);
  }

  @Test
  void aMissingOrUnknownKeyIsUnauthenticatedWithoutNamingAnyTenant() throws Exception {
    for (String key : new String[] {null, "sk-guess"}) {
      HttpResponse<String> r = complete(key, prompt(CODE, 4)).get(60, TimeUnit.SECONDS);
      assertEquals(401, r.statusCode(), r.body());
      assertFalse(r.body().contains("acme"), r.body());
      assertEquals(401, get("/v1/usage", key).statusCode());
    }
  }

  @Test
  void autoRoutesCodeToTheSmallTierAndProseToTheLargeOneSayingWhy() throws Exception {
    JsonObject code =
        new JsonObject(complete("sk-acme", prompt(CODE, 6)).get(60, TimeUnit.SECONDS).body());
    JsonObject prose =
        new JsonObject(complete("sk-acme", prompt(PROSE, 6)).get(60, TimeUnit.SECONDS).body());
    JsonObject codeUsage = code.getJsonObject("usage").getJsonObject("tandem");
    JsonObject proseUsage = prose.getJsonObject("usage").getJsonObject("tandem");
    assertEquals("small", codeUsage.getString("tier"), codeUsage.encode());
    assertEquals("large", proseUsage.getString("tier"), proseUsage.encode());
    assertTrue(codeUsage.getString("route_reason").startsWith("complexity 0."), codeUsage.encode());
    assertTrue(
        codeUsage.getString("route_reason").contains("<= small.max_complexity 0.521"),
        codeUsage.encode());
    JsonObject named =
        new JsonObject(
            complete("sk-acme", prompt(CODE, 6).put("model", "large"))
                .get(60, TimeUnit.SECONDS)
                .body());
    assertEquals(
        "requested",
        named.getJsonObject("usage").getJsonObject("tandem").getString("route_reason"));
  }

  @Test
  void autoRoutedGreedyTextEqualsTheNamedTiersOwn() throws Exception {
    // auto runs the draft model over the prompt for the estimate and the model drafter continues
    // from that forward; the output must still be the tier's own greedy text.
    JsonObject fixedK = new JsonObject().put("mode", "fixed").put("k", 4).put("drafter", "model");
    JsonObject auto =
        new JsonObject(
            complete("sk-acme", prompt(PROSE, 24).put("speculation", fixedK))
                .get(60, TimeUnit.SECONDS)
                .body());
    assertEquals("large", auto.getJsonObject("usage").getJsonObject("tandem").getString("tier"));
    JsonObject named =
        new JsonObject(
            complete(
                    "sk-acme",
                    prompt(PROSE, 24).put("model", "large").put("speculation", fixedK.copy()))
                .get(60, TimeUnit.SECONDS)
                .body());
    assertEquals(
        named.getJsonArray("choices").getJsonObject(0).getString("text"),
        auto.getJsonArray("choices").getJsonObject(0).getString("text"));
  }

  @Test
  void aRequestPinsItsTierRangeAndBadPinsAre400NamingTheField() throws Exception {
    JsonObject pinnedUp = prompt(CODE, 4).put("routing", new JsonObject().put("min_tier", "large"));
    JsonObject up = new JsonObject(complete("sk-acme", pinnedUp).get(60, TimeUnit.SECONDS).body());
    JsonObject upUsage = up.getJsonObject("usage").getJsonObject("tandem");
    assertEquals("large", upUsage.getString("tier"), "code goes to small unless pinned up");
    JsonObject pinnedDown =
        prompt(PROSE, 4).put("routing", new JsonObject().put("max_tier", "small"));
    JsonObject down =
        new JsonObject(complete("sk-acme", pinnedDown).get(60, TimeUnit.SECONDS).body());
    assertEquals("small", down.getJsonObject("usage").getJsonObject("tandem").getString("tier"));

    HttpResponse<String> unknown =
        complete("sk-acme", prompt(CODE, 4).put("routing", new JsonObject().put("max_tier", "xl")))
            .get(60, TimeUnit.SECONDS);
    assertEquals(400, unknown.statusCode(), unknown.body());
    JsonObject error = new JsonObject(unknown.body()).getJsonObject("error");
    assertEquals("routing.max_tier", error.getString("param"));
    assertEquals(
        "routing.max_tier must be one of [small, large], got xl", error.getString("message"));
    HttpResponse<String> contradicts =
        complete(
                "sk-acme",
                prompt(CODE, 4)
                    .put("model", "small")
                    .put("routing", new JsonObject().put("min_tier", "large")))
            .get(60, TimeUnit.SECONDS);
    assertEquals(400, contradicts.statusCode(), contradicts.body());
    HttpResponse<String> typo =
        complete(
                "sk-acme",
                prompt(CODE, 4).put("routing", new JsonObject().put("min_teir", "large")))
            .get(60, TimeUnit.SECONDS);
    assertEquals(400, typo.statusCode(), typo.body());
    assertEquals(
        "routing.min_teir", new JsonObject(typo.body()).getJsonObject("error").getString("param"));
  }

  @Test
  void overTheRequestRateTheTenantGets429WithRetryAfter() throws Exception {
    List<HttpResponse<String>> responses = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      responses.add(complete("sk-limited", prompt(CODE, 2)).get(60, TimeUnit.SECONDS));
    }
    assertEquals(200, responses.get(0).statusCode());
    assertEquals(200, responses.get(1).statusCode());
    HttpResponse<String> refused = responses.get(2);
    assertEquals(429, refused.statusCode(), refused.body());
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
    assertEquals(
        "requests_per_minute",
        new JsonObject(refused.body()).getJsonObject("error").getString("param"));
  }

  @Test
  void concurrentRequestsNeverOverspendTheDailyBudgetAndReleaseEveryReservation() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      sent.add(complete("sk-tight", prompt(CODE, 8).put("model", "small")));
    }
    int ok = 0;
    int refused = 0;
    for (CompletableFuture<HttpResponse<String>> f : sent) {
      HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
      if (r.statusCode() == 200) {
        ok++;
      } else {
        assertEquals(429, r.statusCode(), r.body());
        assertEquals(
            "daily_budget_usd", new JsonObject(r.body()).getJsonObject("error").getString("param"));
        refused++;
      }
    }
    assertTrue(ok > 0 && refused > 0, ok + " served, " + refused + " refused");
    AccountingStore store = router.state().engine().cost().store();
    assertEquals(0L, store.reservedNanos("tight").toCompletionStage().toCompletableFuture().join());
    JsonObject usage = new JsonObject(get("/v1/usage", "sk-tight").body());
    double spent = usage.getDouble("total_cost_usd");
    assertTrue(spent > 0 && spent <= 0.0001, "spent " + spent);
    assertEquals(ok, usage.getJsonArray("data").getJsonObject(0).getInteger("requests"));
  }

  @Test
  void streamedRequestsAreBilledLikeNonStreamedOnesAndUsageGroupsByTeam() throws Exception {
    // Fixed k: the same computation both ways (auto k follows measured latencies).
    JsonObject body =
        prompt(CODE, 6)
            .put("model", "large")
            .put("speculation", new JsonObject().put("mode", "fixed").put("k", 4));
    JsonObject plain = new JsonObject(complete("sk-acme", body).get(60, TimeUnit.SECONDS).body());
    double plainCost = plain.getJsonObject("usage").getJsonObject("tandem").getDouble("cost_usd");
    String sse =
        complete(
                "sk-acme",
                body.copy()
                    .put("stream", true)
                    .put("stream_options", new JsonObject().put("include_usage", true)))
            .get(60, TimeUnit.SECONDS)
            .body();
    double streamedCost = Double.NaN;
    for (String event : sse.split("\n\n")) {
      String data = event.substring("data: ".length());
      if (!data.equals("[DONE]") && new JsonObject(data).getJsonObject("usage") != null) {
        streamedCost =
            new JsonObject(data)
                .getJsonObject("usage")
                .getJsonObject("tandem")
                .getDouble("cost_usd");
      }
    }
    assertTrue(plainCost > 0);
    assertEquals(plainCost, streamedCost, 1e-15);
    JsonObject byTeam = new JsonObject(get("/v1/usage?group_by=team", "sk-acme").body());
    assertEquals("acme-team", byTeam.getJsonArray("data").getJsonObject(0).getString("team"));
    assertTrue(byTeam.getDouble("total_cost_usd") >= 2 * plainCost);
    HttpResponse<String> bad = get("/v1/usage?group_by=feature", "sk-acme");
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("group_by must be tier, tenant or one of the allowed tags"));
    HttpResponse<String> admin = get("/admin/usage?group_by=tenant", null);
    assertEquals(200, admin.statusCode(), admin.body());
    assertTrue(admin.body().contains("\"tenant\":\"acme\""), admin.body());
  }
}
