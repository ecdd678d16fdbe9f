package dev.tandem.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import dev.tandem.router.connections.ServingVertx;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The router as {@code ./tandem serve} runs it (in-process verifier and model drafter), on real
 * models, through real clients: whatever the drafter and k, the tokens streamed over gRPC and the
 * text returned over HTTP equal the verifier model's own greedy decoding, computed here directly
 * with the model runtime.
 */
class EmbeddedRouterTest {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final String VERIFIER = "model/src/test/resources/models/tiny-gqa-f32";
  static final String DRAFT = "model/src/test/resources/models/tiny-mqa-bf16-tied";
  static final List<String> PROMPTS =
      List.of(
          "def fibonacci(n):",
          "hello world",
          "The quick brown fox",
          "import os\nimport sys\n",
          "é ü 日本");

  static Vertx vertx;
  static TandemRouter router;
  static ManagedChannel channel;
  static ModelRuntime runtime;
  static Model reference;

  @BeforeAll
  static void start() throws Exception {
    vertx = ServingVertx.create();
    JsonObject overrides =
        new JsonObject()
            .put("server", new JsonObject().put("port", 0))
            .put("limits", new JsonObject().put("max_tokens", 96).put("default_max_tokens", 32))
            .put("drafting", new JsonObject().put("model", DRAFT))
            .put(
                "tiers",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("name", "large")
                            .put("verifier", "in-process")
                            .put("model", VERIFIER)
                            .put("price_per_1k_tokens_usd", 0.002)));
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
    runtime = new ModelRuntime(1);
    reference = runtime.load(HOME.resolve(VERIFIER), ModelOptions.DEFAULT);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    router.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
    reference.close();
    runtime.close();
  }

  static List<Integer> greedy(String prompt, int n) throws Exception {
    return ReferenceDecoding.greedy(runtime, reference, prompt, n);
  }

  static List<Integer> streamedIds(GenerateRequest request) {
    List<Integer> ids = new ArrayList<>();
    GenerationGrpc.newBlockingStub(channel)
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .generate(request.toBuilder().setReturnTokenIds(true).build())
        .forEachRemaining(chunk -> ids.addAll(chunk.getTokenIdsList()));
    return ids;
  }

  @Test
  void greedyOutputOverGrpcEqualsTheVerifiersOwnGreedyDecodingForEveryDrafterAndK()
      throws Exception {
    List<Speculation> variants =
        List.of(
            Speculation.newBuilder().setDrafter("model").build(),
            Speculation.newBuilder()
                .setDrafter("model")
                .setMode(Speculation.Mode.MODE_FIXED)
                .setK(4)
                .build(),
            Speculation.newBuilder()
                .setDrafter("ngram")
                .setMode(Speculation.Mode.MODE_FIXED)
                .setK(3)
                .build(),
            Speculation.newBuilder().setMode(Speculation.Mode.MODE_OFF).build());
    for (String prompt : PROMPTS) {
      List<Integer> expected = greedy(prompt, 40);
      for (Speculation s : variants) {
        GenerateRequest request =
            GenerateRequest.newBuilder()
                .setPrompt(prompt)
                .setMaxTokens(40)
                .setSpeculation(s)
                .build();
        assertEquals(expected, streamedIds(request), prompt + " with " + s);
      }
    }
  }

  @Test
  void greedyTextOverHttpEqualsTheDecodedReference() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (String prompt : PROMPTS) {
      List<Integer> expected = greedy(prompt, 30);
      String body = new JsonObject().put("prompt", prompt).put("max_tokens", 30).encode();
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + router.port() + "/v1/completions"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      String text =
          new JsonObject(response.body())
              .getJsonArray("choices")
              .getJsonObject(0)
              .getString("text");
      assertEquals(
          reference.tokenizer().decode(expected.stream().mapToInt(Integer::intValue).toArray()),
          text,
          prompt);
    }
  }

  static HttpResponse<String> postCompletion(JsonObject body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + router.port() + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aCostBudgetEndsTheStreamWithBudgetBeforeItIsOverspent() throws Exception {
    String prompt = "def fibonacci(n):";
    double maxCost = 4e-5; // 20 positions at 0.002 USD per 1k: the prompt and a few tokens
    for (String mode : List.of("auto", "off")) {
      JsonObject response =
          new JsonObject(
              postCompletion(
                      new JsonObject()
                          .put("prompt", prompt)
                          .put("max_tokens", 60)
                          .put("budget", new JsonObject().put("max_cost_usd", maxCost))
                          .put("speculation", new JsonObject().put("mode", mode)))
                  .body());
      JsonObject usage = response.getJsonObject("usage");
      JsonObject choice = response.getJsonArray("choices").getJsonObject(0);
      assertEquals("length", choice.getString("finish_reason"), mode);
      assertEquals("budget", usage.getJsonObject("tandem").getString("finish_reason"), mode);
      double cost = usage.getJsonObject("tandem").getDouble("cost_usd");
      assertTrue(cost <= maxCost, mode + ": cost " + cost + " > budget " + maxCost);
      int generated = usage.getInteger("completion_tokens");
      assertTrue(generated > 0 && generated < 60, mode + ": " + generated + " tokens");
      List<Integer> expected = greedy(prompt, generated);
      assertEquals(
          reference.tokenizer().decode(expected.stream().mapToInt(Integer::intValue).toArray()),
          choice.getString("text"),
          mode);
    }
  }

  @Test
  void aBudgetThatCannotCoverThePromptIsRefusedNamingTheCheapestCost() throws Exception {
    HttpResponse<String> response =
        postCompletion(
            new JsonObject()
                .put("prompt", "def fibonacci(n):")
                .put("max_tokens", 8)
                .put("budget", new JsonObject().put("max_cost_usd", 1e-9)));
    assertEquals(429, response.statusCode(), response.body());
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertEquals("budget.max_cost_usd", error.getString("param"));
    assertTrue(
        error.getString("message").contains("cannot cover the prompt"), error.getString("message"));
    assertTrue(error.getString("message").contains("USD"), error.getString("message"));
  }

  @Test
  void seededSamplingIsReproducible() {
    GenerateRequest request =
        GenerateRequest.newBuilder()
            .setPrompt("hello world")
            .setMaxTokens(40)
            .setTemperature(0.9f)
            .setSeed(7)
            .build();
    List<Integer> first = streamedIds(request);
    assertEquals(first, streamedIds(request));
    assertNotEquals(
        first, streamedIds(request.toBuilder().setSeed(8).build()), "another seed, another sample");
  }

  @Test
  void cancelledStreamLeavesNoVerifierSession() throws Exception {
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<GenerateChunk> it =
        context.call(
            () ->
                GenerationGrpc.newBlockingStub(channel)
                    .generate(
                        GenerateRequest.newBuilder()
                            .setPrompt("count")
                            .setMaxTokens(90)
                            .setReturnTokenIds(true)
                            .setSpeculation(
                                Speculation.newBuilder().setMode(Speculation.Mode.MODE_OFF))
                            .build()));
    it.next();
    context.cancel(null);
    assertEquals(0, Eventually.zero(router::openVerifierSessions, Duration.ofSeconds(3)));
  }
}
