package dev.tandem.router.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.Eventually;
import dev.tandem.router.RouterState;
import dev.tandem.router.accounting.Tenant;
import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.RequestValidator.RawRequest;
import dev.tandem.router.boot.TandemRouter;
import dev.tandem.router.config.FileConfigSource;
import dev.tandem.router.engine.GenerationHandle;
import dev.tandem.router.engine.GenerationResult;
import dev.tandem.router.engine.StreamEnd;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.speccore.StepPrior;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live reload on the embedded default: a running stream keeps the config it started with while the
 * next request sees the new one; every class of invalid file is rejected whole and counted; a
 * half-written file is ignored until the full file arrives.
 */
class LiveConfigTest {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final String WATCHED = "reload: {scan_period_ms: 20, debounce_ms: 40}\n";

  @TempDir Path dir;
  Path file;
  Vertx vertx;
  TandemRouter router;
  WebClient http;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    file = dir.resolve("tandem.yaml");
    Files.writeString(file, WATCHED + config(96));
    router =
        TandemRouter.start(
            vertx,
            new FileConfigSource(
                vertx,
                HOME,
                Optional.of(file),
                new JsonObject().put("server", new JsonObject().put("port", 0))),
            RouterMetrics.enabled(RouterMetrics.newRegistry()),
            line -> {});
    http = WebClient.create(vertx);
  }

  @AfterEach
  void stop() {
    router.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  static String config(int maxTokens) {
    return "limits: {max_tokens: " + maxTokens + ", default_max_tokens: 16}\n";
  }

  @Test
  void runningStreamKeepsItsConfigWhileTheNextRequestSeesTheNewLimit() throws Exception {
    RouterState old = router.state();
    PausingWriter writer = new PausingWriter();
    Context context = vertx.getOrCreateContext();
    CompletableFuture<GenerationHandle> started = new CompletableFuture<>();
    context.runOnContext(
        v ->
            started.complete(
                old.engine().start(request(old, 80), Tenant.ANONYMOUS, context, writer)));
    GenerationHandle handle = started.get(30, TimeUnit.SECONDS);
    assertTrue(writer.firstChunk.await(30, TimeUnit.SECONDS), "first chunk");

    Files.writeString(file, WATCHED + config(32));
    JsonObject outcome = post("/admin/reload").bodyAsJsonObject();
    // The file watcher may have applied it first; then the admin reload finds it unchanged.
    assertTrue(
        List.of("applied", "unchanged").contains(outcome.getString("result")), outcome.encode());
    assertEquals(2, outcome.getLong("generation"));
    assertEquals(2, router.state().generation());
    // The paused stream still runs on generation 1, so generation 1 is not drained.
    assertEquals(1, old.engine().inFlight());
    var drained = old.engine().retire();
    assertFalse(drained.isComplete());

    HttpResponse<Buffer> refused =
        http.post(router.port(), "127.0.0.1", "/v1/completions")
            .sendJsonObject(new JsonObject().put("prompt", "def f(x):").put("max_tokens", 80))
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertEquals(400, refused.statusCode());
    assertTrue(
        refused.bodyAsString().contains("max_tokens must be in 1..32"), refused.bodyAsString());

    context.runOnContext(v -> writer.release());
    StreamEnd end =
        handle.completion().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    GenerationResult result = ((StreamEnd.Finished) end).result();
    assertEquals(80, result.completionTokens());
    drained.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aTiersLatencyPriorReachesTheEngine() {
    var tiers = router.state().engine().tiers();
    StepPrior large = tiers.get("large").stepPrior(); // tandem-default.yaml sets it
    assertEquals(300_000, large.latency().draftPerToken(), 1e-3);
    assertEquals(600_000, large.draftStepNanos(), 1e-3);
    assertEquals(600_000, large.latency().verifyFixed(), 1e-3);
    assertEquals(350_000, large.latency().verifyPerPosition(), 1e-3);
    StepPrior small = tiers.get("small").stepPrior(); // none set: the generic in-process prior
    assertEquals(2_000_000, small.latency().verifyFixed(), 1e-3);
    assertEquals(0, small.draftStepNanos());
  }

  @Test
  void invalidFilesAreRejectedWholeAndCounted() throws Exception {
    Map<String, String> badFiles =
        Map.of(
            "yaml syntax", "limits: {max_tokens: [96\n",
            "unknown key", "limits: {max_tokns: 32}\n",
            "bad value", "speculation: {k_max: 99}\n",
            "missing model directory", "drafting: {model: fixtures/models/nothing-here}\n",
            "bad endpoint",
                "tiers: [{name: r, verifier: grpc, model: fixtures/models/tandem-verifier,"
                    + " endpoints: ['gpu-1']}]\ndefault_tier: r\n");
    Map<String, String> expectedKey =
        Map.of(
            "unknown key", "limits.max_tokns",
            "bad value", "speculation.k_max",
            "missing model directory", "drafting.model",
            "bad endpoint", "tiers[0].endpoints[0]");
    double rejectedBefore = counter("tandem_config_reloads_total{result=\"rejected\"");
    for (var bad : badFiles.entrySet()) {
      Files.writeString(file, WATCHED + bad.getValue());
      HttpResponse<Buffer> response = post("/admin/reload");
      JsonObject outcome = response.bodyAsJsonObject();
      assertEquals(422, response.statusCode(), bad.getKey());
      assertEquals("rejected", outcome.getString("result"), bad.getKey());
      assertEquals(1, outcome.getLong("generation"), bad.getKey());
      if (expectedKey.containsKey(bad.getKey())) {
        assertEquals(expectedKey.get(bad.getKey()), outcome.getString("key"), outcome.encode());
      } else {
        assertTrue(outcome.getString("error").contains("not valid YAML"), outcome.encode());
      }
    }
    assertEquals(1, router.state().generation());
    // The watcher may have seen some of these files too; every rejection is counted.
    assertTrue(
        counter("tandem_config_reloads_total{result=\"rejected\"") - rejectedBefore
            >= badFiles.size());
    assertEquals(96, router.state().config().limits().maxTokens());
    JsonObject config = get("/admin/config").bodyAsJsonObject();
    assertEquals(1, config.getLong("generation"));
    assertEquals(
        96, config.getJsonObject("config").getJsonObject("limits").getInteger("max_tokens"));
  }

  @Test
  void halfWrittenFileIsRejectedOnceAndTheFullFileIsApplied() throws Exception {
    double rejectedBefore = counter("tandem_config_reloads_total{result=\"rejected\"");
    Files.writeString(file, "");
    Eventually.until(
        () -> counter("tandem_config_reloads_total{result=\"rejected\"") > rejectedBefore,
        Duration.ofSeconds(20),
        "the empty file to be rejected");
    assertEquals(1, router.state().generation());
    assertEquals(200, complete(16).statusCode(), "still serving");

    Files.writeString(file, WATCHED + config(48));
    Eventually.until(
        () -> router.state().generation() == 2,
        Duration.ofSeconds(20),
        "the full file to be applied");
    assertEquals(48, router.state().config().limits().maxTokens());
    // The empty content stayed on disk for many scans but was reported once.
    assertEquals(1.0, counter("tandem_config_reloads_total{result=\"rejected\"") - rejectedBefore);
  }

  @Test
  void metricsCountEveryRequestAndReadinessIsReported() throws Exception {
    String ttft =
        "gen_ai_server_time_to_first_token_seconds_count{gen_ai_operation_name=\"text_completion\",gen_ai_request_model=\"large\"";
    String duration =
        "gen_ai_server_request_duration_seconds_count{error_type=\"none\",gen_ai_operation_name=\"text_completion\",gen_ai_request_model=\"large\"";
    double ttftBefore = counter(ttft);
    double durationBefore = counter(duration);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, complete(12).statusCode());
    }
    assertEquals(3.0, counter(ttft) - ttftBefore);
    assertEquals(3.0, counter(duration) - durationBefore);
    String text = get("/metrics").bodyAsString();
    for (String name :
        List.of(
            "gen_ai_server_time_per_output_token_seconds_bucket",
            "gen_ai_client_token_usage_bucket",
            "tandem_draft_length_bucket",
            "tandem_verifier_call_duration_seconds_count",
            "tandem_active_streams",
            "tandem_verifier_sessions_open",
            "tandem_requests_total",
            "tandem_draft_tokens_accepted_total")) {
      assertTrue(text.contains(name), name + " missing from /metrics");
    }
    assertEquals(0.0, counter("tandem_active_streams"));
    assertEquals(0.0, counter("tandem_verifier_sessions_open"));
    HttpResponse<Buffer> ready = get("/health/ready");
    assertEquals(200, ready.statusCode(), ready.bodyAsString());
    assertEquals("ok", ready.bodyAsJsonObject().getJsonObject("checks").getString("tier:large"));
    assertEquals(200, get("/health/live").statusCode());
  }

  @Test
  void readinessNamesATierWithoutAReachableVerifier() throws Exception {
    Files.writeString(
        file,
        WATCHED
            + "tiers:\n"
            + "  - {name: large, verifier: in-process, model: fixtures/models/tandem-verifier}\n"
            + "  - {name: dead, verifier: grpc, model: fixtures/models/tandem-verifier,"
            + " endpoints: ['127.0.0.1:1'], health_check_interval_ms: 100}\n");
    post("/admin/reload"); // or the watcher got there first
    assertEquals(2, router.state().generation());
    Eventually.until(
        () -> {
          try {
            return get("/health/ready").statusCode() == 503;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        },
        Duration.ofSeconds(20),
        "readiness to see the dead endpoint");
    JsonObject checks = get("/health/ready").bodyAsJsonObject().getJsonObject("checks");
    assertEquals("ok", checks.getString("tier:large"));
    assertTrue(checks.getString("tier:dead").contains("127.0.0.1:1 unhealthy"), checks.encode());
  }

  // ---- helpers ----

  static GenerationRequest request(RouterState state, int maxTokens) {
    return state
        .validator()
        .validate(
            new RawRequest(
                null,
                "def fibonacci(n):",
                null,
                (long) maxTokens,
                0f,
                null,
                null,
                null,
                null,
                null,
                null,
                GenerationRequest.CacheMode.BYPASS,
                Map.of(),
                false,
                null));
  }

  /** Value of the first sample whose line starts with {@code prefix} in /metrics, 0 if none. */
  double counter(String prefix) {
    String text;
    try {
      text = get("/metrics").bodyAsString();
    } catch (Exception e) {
      throw new AssertionError("GET /metrics", e);
    }
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)
          && (line.charAt(prefix.length()) == ' '
              || line.charAt(prefix.length()) == '}'
              || line.charAt(prefix.length()) == ',')) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  HttpResponse<Buffer> complete(int maxTokens) throws Exception {
    return http.post(router.port(), "127.0.0.1", "/v1/completions")
        .sendJsonObject(
            // named: the default config's auto would route this code prompt to the small tier
            new JsonObject()
                .put("model", "large")
                .put("prompt", "def f(x):")
                .put("max_tokens", maxTokens))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  HttpResponse<Buffer> post(String path) throws Exception {
    return http.request(HttpMethod.POST, router.port(), "127.0.0.1", path)
        .send()
        .toCompletionStage()
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
  }

  HttpResponse<Buffer> get(String path) throws Exception {
    return http.get(router.port(), "127.0.0.1", path)
        .send()
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  /** A client that reads one chunk, then stops reading until released (flow control). */
  static final class PausingWriter implements ChunkWriter {
    final CountDownLatch firstChunk = new CountDownLatch(1);
    final AtomicInteger tokens = new AtomicInteger();
    private boolean paused;
    private Runnable drain;

    @Override
    public void writeDelta(String text, int[] ids) {
      tokens.addAndGet(ids.length);
      if (ids.length > 0 && firstChunk.getCount() > 0) {
        paused = true;
        firstChunk.countDown();
      }
    }

    @Override
    public boolean writeQueueFull() {
      return paused;
    }

    @Override
    public void drainHandler(Runnable handler) {
      drain = handler;
    }

    void release() {
      paused = false;
      if (drain != null) {
        Runnable r = drain;
        drain = null;
        r.run();
      }
    }
  }
}
