package dev.tandem.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
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
      JsonObject tier =
          new JsonObject()
              .put("name", "vllm")
              .put("verifier", "openai")
              .put("model", MODEL)
              .put(
                  "openai",
                  new JsonObject()
                      .put("base_url", server.baseUrl())
                      .put("model", "tiny")
                      .put("top_n", 5))
              .put("price_per_1k_tokens_usd", 0.001);
      JsonObject overrides =
          new JsonObject()
              .put("server", new JsonObject().put("port", 0))
              .put("limits", new JsonObject().put("max_tokens", 64))
              .put(
                  "drafting",
                  new JsonObject()
                      .put("model", "model/src/test/resources/models/tiny-mqa-bf16-tied"))
              .put("default_tier", "vllm")
              .put("tiers", new JsonArray().add(tier));
      TandemConfig config =
          new FileConfigSource(vertx, HOME, Optional.empty(), overrides)
              .load()
              .toCompletionStage()
              .toCompletableFuture()
              .join();
      try (TandemRouter router = TandemRouter.start(vertx, config, line -> {})) {
        ManagedChannel channel =
            NettyChannelBuilder.forAddress("127.0.0.1", router.port())
                .usePlaintext()
                .directExecutor()
                .build();
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
}
