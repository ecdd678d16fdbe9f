package dev.tandem.router.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.proto.v1.CacheKind;
import dev.tandem.proto.v1.CachePolicy;
import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpc;
import dev.tandem.router.accounting.ApiKeys;
import dev.tandem.router.boot.TandemRouter;
import dev.tandem.router.config.FileConfigSource;
import dev.tandem.router.config.TandemConfig;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
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
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The response cache in the embedded router (fixture models, two tenants): an exact hit streams the
 * generated text again over SSE and gRPC with the cached marker and zero verifier cost; what must
 * never be cached is not; tenants never see each other's answers; semantic lookups only when asked.
 * Each test uses its own prompts, so tests do not share cache entries.
 */
class CacheRouterTest {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static Vertx vertx;
  static TandemRouter router;
  static ManagedChannel channel;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static JsonObject tenant(String name, String key) {
    return new JsonObject()
        .put("name", name)
        .put("api_key_sha256", new JsonArray().add(ApiKeys.sha256(key)))
        .put("limits", new JsonObject());
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    JsonObject overrides =
        new JsonObject()
            .put("server", new JsonObject().put("port", 0))
            .put("reload", new JsonObject().put("watch", false))
            .put(
                "tenants",
                new JsonArray().add(tenant("acme", "sk-acme")).add(tenant("other", "sk-other")));
    TandemConfig config =
        new FileConfigSource(vertx, HOME, Optional.empty(), overrides)
            .load()
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    router = TandemRouter.start(vertx, config, line -> {});
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", router.port())
            .usePlaintext()
            .directExecutor()
            .build();
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    router.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  // ---- HTTP helpers ----

  static HttpResponse<String> post(String key, JsonObject body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + "/v1/completions"))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject complete(String key, JsonObject body) throws Exception {
    HttpResponse<String> r = post(key, body);
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  static JsonObject greedy(String prompt) {
    return new JsonObject().put("model", "large").put("prompt", prompt).put("max_tokens", 12);
  }

  static JsonObject tandem(JsonObject response) {
    return response.getJsonObject("usage").getJsonObject("tandem");
  }

  static String text(JsonObject response) {
    return response.getJsonArray("choices").getJsonObject(0).getString("text");
  }

  /** A streamed answer: its text, and the data events as JSON (without [DONE]). */
  record Streamed(String text, List<JsonObject> events) {
    JsonObject usage() {
      return events.getLast().getJsonObject("usage");
    }
  }

  static Streamed stream(String key, JsonObject body) throws Exception {
    HttpResponse<String> r =
        post(
            key,
            body.copy()
                .put("stream", true)
                .put("stream_options", new JsonObject().put("include_usage", true)));
    assertEquals(200, r.statusCode(), r.body());
    List<JsonObject> events = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (String event : r.body().split("\n\n")) {
      String data = event.substring("data: ".length());
      if (data.equals("[DONE]")) {
        continue;
      }
      JsonObject json = new JsonObject(data);
      events.add(json);
      JsonArray choices = json.getJsonArray("choices");
      if (!choices.isEmpty()) {
        text.append(choices.getJsonObject(0).getString("text", ""));
      }
    }
    return new Streamed(text.toString(), events);
  }

  // ---- gRPC helpers ----

  static List<GenerateChunk> grpc(String key, GenerateRequest request) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    GenerationGrpc.GenerationBlockingStub stub =
        GenerationGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .withDeadlineAfter(60, java.util.concurrent.TimeUnit.SECONDS);
    List<GenerateChunk> chunks = new ArrayList<>();
    Iterator<GenerateChunk> it = stub.generate(request);
    it.forEachRemaining(chunks::add);
    return chunks;
  }

  static String joined(List<GenerateChunk> chunks) {
    StringBuilder b = new StringBuilder();
    chunks.forEach(c -> b.append(c.getText()));
    return b.toString();
  }

  static double counter(String prefix) throws Exception {
    String text =
        HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  // ---- scenarios ----

  @Test
  void anExactHitStreamsTheGeneratedTextAgainOverSseWithTheMarkerAndNoVerifierCost()
      throws Exception {
    double hitsBefore = counter("tandem_cache_lookups_total{kind=\"exact\",result=\"hit\"");
    JsonObject body = greedy("def fibonacci(n):\n    if n <");
    Streamed generated = stream("sk-acme", body);
    JsonObject first = generated.usage().getJsonObject("tandem");
    assertFalse(first.getBoolean("cached"), first.encode());
    assertTrue(first.getDouble("cost_usd") > 0, first.encode());

    Streamed cached = stream("sk-acme", body);
    assertEquals(generated.text(), cached.text());
    assertEquals(generated.events().size(), cached.events().size(), "same chunks");
    JsonObject usage = cached.usage();
    JsonObject t = usage.getJsonObject("tandem");
    assertTrue(t.getBoolean("cached"), t.encode());
    assertEquals(0.0, t.getDouble("cost_usd"));
    assertEquals(0, t.getInteger("verifier_calls"));
    assertEquals("exact", t.getJsonObject("cache").getString("kind"));
    assertEquals(1.0, t.getJsonObject("cache").getDouble("similarity"));
    assertEquals(
        generated.usage().getInteger("completion_tokens"), usage.getInteger("completion_tokens"));
    assertEquals(generated.usage().getInteger("prompt_tokens"), usage.getInteger("prompt_tokens"));
    // the finish chunk carries the marker even without include_usage
    JsonObject finish = cached.events().get(cached.events().size() - 2);
    assertEquals("exact", finish.getJsonObject("tandem").getJsonObject("cache").getString("kind"));
    assertEquals(
        hitsBefore + 1, counter("tandem_cache_lookups_total{kind=\"exact\",result=\"hit\""));
    assertTrue(counter("tandem_cache_saved_cost_usd_total") > 0);
    // the hit's reservation was settled: nothing held
    assertEquals(
        0L,
        router
            .state()
            .engine()
            .cost()
            .store()
            .reservedNanos("acme")
            .toCompletionStage()
            .toCompletableFuture()
            .join());
  }

  @Test
  void anExactHitOverGrpcIsTheGeneratedTextWithTheCacheHitInTheSummary() {
    GenerateRequest request =
        GenerateRequest.newBuilder()
            .setModel("large")
            .setPrompt("import os\nimport sys\n")
            .setMaxTokens(12)
            .setTemperature(0)
            .setReturnTokenIds(true)
            .build();
    List<GenerateChunk> generated = grpc("sk-acme", request);
    List<GenerateChunk> cached = grpc("sk-acme", request);
    assertEquals(joined(generated), joined(cached));
    assertEquals(
        generated.stream().flatMap(c -> c.getTokenIdsList().stream()).toList(),
        cached.stream().flatMap(c -> c.getTokenIdsList().stream()).toList());
    var first = generated.getLast().getSummary();
    var hit = cached.getLast().getSummary();
    assertFalse(first.getCached());
    assertTrue(hit.getCached());
    assertEquals(CacheKind.CACHE_KIND_EXACT, hit.getCacheHit().getKind());
    assertEquals(0.0, hit.getCostUsd());
    assertEquals(0, hit.getSpeculation().getVerifierCalls());
    assertEquals(first.getUsage(), hit.getUsage());
    assertEquals(generated.getLast().getFinishReason(), cached.getLast().getFinishReason());
  }

  @Test
  void anHttpAnswerIsServedToGrpcTooTheKeyIsTheRenderedPromptNotTheTransport() throws Exception {
    JsonObject http = complete("sk-acme", greedy("class Stack:\n    def push(self"));
    List<GenerateChunk> viaGrpc =
        grpc(
            "sk-acme",
            GenerateRequest.newBuilder()
                .setModel("large")
                .setPrompt("class Stack:\n    def push(self")
                .setMaxTokens(12)
                .build());
    assertTrue(viaGrpc.getLast().getSummary().getCached());
    assertEquals(text(http), joined(viaGrpc));
  }

  @Test
  void bypassNeitherReadsNorWrites() throws Exception {
    JsonObject body = greedy("while True:\n    line = input(").put("cache", "bypass");
    complete("sk-acme", body);
    assertFalse(tandem(complete("sk-acme", body)).getBoolean("cached"));
    body.remove("cache");
    assertFalse(tandem(complete("sk-acme", body)).getBoolean("cached"), "bypass stored nothing");
    assertTrue(tandem(complete("sk-acme", body)).getBoolean("cached"));
    GenerateRequest bypass =
        GenerateRequest.newBuilder()
            .setModel("large")
            .setPrompt("while True:\n    line = input(")
            .setMaxTokens(12)
            .setCache(CachePolicy.CACHE_BYPASS)
            .build();
    assertFalse(grpc("sk-acme", bypass).getLast().getSummary().getCached());
  }

  @Test
  void aTenantNeverGetsAnotherTenantsAnswer() throws Exception {
    JsonObject body = greedy("for key, value in sorted(");
    complete("sk-acme", body);
    assertTrue(tandem(complete("sk-acme", body)).getBoolean("cached"));
    assertFalse(tandem(complete("sk-other", body)).getBoolean("cached"));
  }

  @Test
  void onlyDeterministicCompleteAnswersAreCached() throws Exception {
    // sampled without a seed: never
    JsonObject sampled = greedy("try:\n    value = int(").put("temperature", 0.8);
    complete("sk-acme", sampled);
    assertFalse(tandem(complete("sk-acme", sampled)).getBoolean("cached"));
    // sampled with a seed: reproducible, so cached
    JsonObject seeded = sampled.copy().put("seed", 42);
    JsonObject seededFirst = complete("sk-acme", seeded);
    JsonObject seededAgain = complete("sk-acme", seeded);
    assertTrue(tandem(seededAgain).getBoolean("cached"));
    assertEquals(text(seededFirst), text(seededAgain));
    assertFalse(
        tandem(complete("sk-acme", seeded.copy().put("seed", 43))).getBoolean("cached"),
        "another seed is another key");
    // cut short by its budget: never
    JsonObject budgeted =
        greedy("def main(argv):\n    parser =")
            .put("max_tokens", 40)
            .put("budget", new JsonObject().put("max_cost_usd", 0.00004));
    JsonObject cut = complete("sk-acme", budgeted);
    assertEquals("budget", tandem(cut).getString("finish_reason"), tandem(cut).encode());
    assertFalse(tandem(complete("sk-acme", budgeted)).getBoolean("cached"));
  }

  @Test
  void aCancelledStreamIsNotCached() throws Exception {
    GenerateRequest request =
        GenerateRequest.newBuilder()
            .setModel("large")
            .setPrompt("The quick brown fox")
            .setMaxTokens(256)
            .setSpeculation(
                dev.tandem.proto.v1.Speculation.newBuilder()
                    .setMode(dev.tandem.proto.v1.Speculation.Mode.MODE_OFF))
            .build();
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer sk-acme");
    io.grpc.Context.CancellableContext call = io.grpc.Context.current().withCancellation();
    java.util.concurrent.CountDownLatch firstChunk = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CompletableFuture<Throwable> ended =
        new java.util.concurrent.CompletableFuture<>();
    call.run(
        () ->
            GenerationGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .generate(
                    request,
                    new io.grpc.stub.StreamObserver<>() {
                      @Override
                      public void onNext(GenerateChunk chunk) {
                        firstChunk.countDown();
                      }

                      @Override
                      public void onError(Throwable t) {
                        ended.complete(t);
                      }

                      @Override
                      public void onCompleted() {
                        ended.complete(null);
                      }
                    }));
    assertTrue(firstChunk.await(60, java.util.concurrent.TimeUnit.SECONDS));
    call.cancel(null);
    assertTrue(
        ended.get(60, java.util.concurrent.TimeUnit.SECONDS) != null, "cancelled mid-stream");
    // the router has ended the cancelled stream (its reservation is released) before we ask again
    dev.tandem.router.Eventually.until(
        () -> router.state().engine().inFlight() == 0, Duration.ofSeconds(10), "the stream's end");
    assertFalse(grpc("sk-acme", request).getLast().getSummary().getCached());
  }

  @Test
  void parametersThatChangeTheOutputChangeTheKey() throws Exception {
    JsonObject body = greedy("with open(path) as f:\n    for line in");
    complete("sk-acme", body);
    assertFalse(
        tandem(complete("sk-acme", body.copy().put("max_tokens", 11))).getBoolean("cached"));
    assertFalse(
        tandem(complete("sk-acme", body.copy().put("stop", new JsonArray().add("\n"))))
            .getBoolean("cached"));
    assertFalse(
        tandem(complete("sk-acme", body.copy().put("model", "small"))).getBoolean("cached"));
    // greedy decoding ignores top_p, top_k and the seed
    assertTrue(
        tandem(complete("sk-acme", body.copy().put("top_p", 0.5).put("seed", 7)))
            .getBoolean("cached"));
  }

  @Test
  void semanticLookupsRunOnlyWhenAskedAndSayTheAnswerIsAnotherPrompts() throws Exception {
    JsonObject original = greedy("How do I sort a dictionary by its values?");
    JsonObject stored = complete("sk-acme", original);
    JsonObject paraphrase = greedy("How can I sort a dict by value?");
    assertFalse(tandem(complete("sk-acme", paraphrase)).getBoolean("cached"), "off by default");
    JsonObject hit =
        complete(
            "sk-acme", greedy("What is the way to sort a dict by value?").put("cache", "semantic"));
    JsonObject marker = tandem(hit).getJsonObject("cache");
    assertEquals("semantic", marker.getString("kind"), tandem(hit).encode());
    assertTrue(marker.getDouble("similarity") >= 0.95, marker.encode());
    assertEquals(text(stored), text(hit));
    assertNotEquals("", marker.getString("prompt_id"));
    // a near miss with another meaning is refused by the guard
    JsonObject nearMiss =
        greedy("How do I sort a dictionary by its keys?").put("cache", "semantic");
    assertFalse(tandem(complete("sk-acme", nearMiss)).getBoolean("cached"));
    // and another tenant never sees it
    assertFalse(
        tandem(
                complete(
                    "sk-other",
                    greedy("What is the way to sort a dict by value?").put("cache", "semantic")))
            .getBoolean("cached"));
  }
}
