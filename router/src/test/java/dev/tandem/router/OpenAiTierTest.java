package dev.tandem.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpc;
import dev.tandem.proto.v1.Speculation;
import dev.tandem.router.boot.TandemRouter;
import dev.tandem.router.config.FileConfigSource;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.verifier.openai.LogprobsCompletionServer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A router whose tier is an OpenAI-compatible (vLLM-style) server, configured the way an operator
 * would: greedy output equals the served model's own greedy decoding.
 */
class OpenAiTierTest {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final String MODEL = "model/src/test/resources/models/tiny-gqa-f32";

  @Test
  void greedyThroughAnOpenAiCompatibleServerIsExact() throws Exception {
    Vertx vertx = Vertx.vertx();
    ModelRuntime runtime = new ModelRuntime(1);
    Model model = runtime.load(HOME.resolve(MODEL), ModelOptions.DEFAULT);
    try (LogprobsCompletionServer server = LogprobsCompletionServer.start(vertx, model, null)) {
      TandemConfig config =
          config(vertx, new JsonObject().put("base_url", server.baseUrl()).put("top_n", 5));
      try (TandemRouter router = TandemRouter.start(vertx, config, line -> {})) {
        ManagedChannel channel = channel(router);
        for (String prompt : List.of("hello world", "def f(x):")) {
          List<Integer> expected = ReferenceDecoding.greedy(runtime, model, prompt, 24);
          List<Integer> got = new ArrayList<>();
          GenerateChunk[] last = new GenerateChunk[1];
          GenerationGrpc.newBlockingStub(channel)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .generate(
                  GenerateRequest.newBuilder()
                      .setPrompt(prompt)
                      .setMaxTokens(24)
                      .setReturnTokenIds(true)
                      .setSpeculation(
                          Speculation.newBuilder().setMode(Speculation.Mode.MODE_FIXED).setK(3))
                      .build())
              .forEachRemaining(
                  c -> {
                    got.addAll(c.getTokenIdsList());
                    last[0] = c;
                  });
          assertEquals(expected, got, prompt);
          assertTrue(
              last[0].getSummary().getModel().contains("openai-approx"),
              last[0].getSummary().getModel());
        }
        channel.shutdownNow();
      }
    } finally {
      model.close();
      runtime.close();
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  /**
   * A tier's base URL that refuses connections and a fallback that serves: the failed call opens
   * the base URL's circuit, which {@code /metrics} shows as {@code
   * tandem_verifier_endpoint_breaker} the way a gRPC endpoint's is, while {@code /health/ready}
   * stays ready through the fallback; once the fallback is gone too, readiness names both servers.
   */
  @Test
  void openAiServersBreakersAreInMetricsAndReadiness() throws Exception {
    Vertx vertx = Vertx.vertx();
    ModelRuntime runtime = new ModelRuntime(1);
    Model model = runtime.load(HOME.resolve(MODEL), ModelOptions.DEFAULT);
    String dead = "http://127.0.0.1:" + freePort();
    LogprobsCompletionServer fallback = LogprobsCompletionServer.start(vertx, model, null);
    HttpClient http = HttpClient.newHttpClient();
    try {
      TandemConfig config =
          config(
              vertx,
              new JsonObject()
                  .put("base_url", dead)
                  .put("fallback_base_urls", new JsonArray().add(fallback.baseUrl()))
                  .put(
                      "circuit_breaker",
                      new JsonObject().put("failures", 1).put("open_ms", 3_600_000)));
      try (TandemRouter router = TandemRouter.start(vertx, config, line -> {})) {
        ManagedChannel channel = channel(router);
        try {
          assertEquals(1.0, breaker(http, router, dead, "closed"));
          assertEquals(200, get(http, router, "/health/ready").statusCode());

          assertTrue(generate(channel, "hello world").hasSummary(), "served by the fallback");
          assertEquals(1.0, breaker(http, router, dead, "open"));
          assertEquals(0.0, breaker(http, router, dead, "closed"));
          assertEquals(1.0, breaker(http, router, fallback.baseUrl(), "closed"));
          HttpResponse<String> ready = get(http, router, "/health/ready");
          assertEquals(200, ready.statusCode(), ready.body());

          fallback.close();
          StatusRuntimeException failed =
              // another prompt: the response cache would answer a repeat without a verifier
              assertThrows(StatusRuntimeException.class, () -> generate(channel, "def f(x):"));
          assertEquals(Status.Code.UNAVAILABLE, failed.getStatus().getCode(), failed.toString());
          assertEquals(1.0, breaker(http, router, fallback.baseUrl(), "open"));
          HttpResponse<String> notReady = get(http, router, "/health/ready");
          assertEquals(503, notReady.statusCode(), notReady.body());
          String check =
              new JsonObject(notReady.body()).getJsonObject("checks").getString("tier:vllm");
          assertTrue(check.contains(dead + " breaker open"), check);
          assertTrue(check.contains(fallback.baseUrl() + " breaker open"), check);
        } finally {
          channel.shutdownNow();
        }
      }
    } finally {
      http.close();
      fallback.close();
      model.close();
      runtime.close();
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  /** The router's config with one OpenAI-compatible tier {@code vllm} on {@code openai}. */
  private static TandemConfig config(Vertx vertx, JsonObject openai) {
    JsonObject tier =
        new JsonObject()
            .put("name", "vllm")
            .put("verifier", "openai")
            .put("model", MODEL)
            .put("openai", openai.copy().put("model", "tiny"))
            .put("price_per_1k_tokens_usd", 0.001);
    JsonObject overrides =
        new JsonObject()
            .put("server", new JsonObject().put("port", 0))
            .put("limits", new JsonObject().put("max_tokens", 64))
            .put(
                "drafting",
                new JsonObject().put("model", "model/src/test/resources/models/tiny-mqa-bf16-tied"))
            .put("default_tier", "vllm")
            .put("tiers", new JsonArray().add(tier));
    return new FileConfigSource(vertx, HOME, Optional.empty(), overrides)
        .load()
        .toCompletionStage()
        .toCompletableFuture()
        .join();
  }

  /** One greedy request of 8 tokens; its last chunk. */
  private static GenerateChunk generate(ManagedChannel channel, String prompt) {
    GenerateChunk[] last = new GenerateChunk[1];
    GenerationGrpc.newBlockingStub(channel)
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .generate(GenerateRequest.newBuilder().setPrompt(prompt).setMaxTokens(8).build())
        .forEachRemaining(c -> last[0] = c);
    return last[0];
  }

  /** The value of {@code tandem_verifier_endpoint_breaker} for tier vllm, {@code endpoint}. */
  private static double breaker(HttpClient http, TandemRouter router, String endpoint, String state)
      throws Exception {
    String series =
        "tandem_verifier_endpoint_breaker{endpoint=\""
            + endpoint
            + "\",state=\""
            + state
            + "\",tier=\"vllm\"} ";
    for (String line : get(http, router, "/metrics").body().split("\n")) {
      if (line.startsWith(series)) {
        return Double.parseDouble(line.substring(series.length()).trim());
      }
    }
    throw new AssertionError(series + "missing from /metrics");
  }

  private static HttpResponse<String> get(HttpClient http, TandemRouter router, String path)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A loopback port nothing listens on (bound, then released). */
  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** A plaintext gRPC channel to {@code router}. */
  private static ManagedChannel channel(TandemRouter router) {
    return NettyChannelBuilder.forAddress("127.0.0.1", router.port())
        .usePlaintext()
        .directExecutor()
        .build();
  }
}
