package dev.tandem.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Quantization;
import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpc;
import dev.tandem.proto.v1.Speculation;
import dev.tandem.router.boot.TandemRouter;
import dev.tandem.router.config.FileConfigSource;
import dev.tandem.router.config.TandemConfig;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Given a tier whose in-process verifier is quantized at load ({@code quantize: q8_0}) and a q4
 * drafter: greedy output is exactly the quantized verifier's own greedy output, and the response
 * names the quantized model ({@code tiny-gqa-f32:q8_0}).
 */
class QuantizedRouterTest {
  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final String VERIFIER = "model/src/test/resources/models/tiny-gqa-f32";
  static final String DRAFT = "model/src/test/resources/models/tiny-mha-f16-sharded";

  static Vertx vertx;
  static TandemRouter router;
  static ManagedChannel channel;
  static ModelRuntime runtime;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    JsonObject overrides =
        new JsonObject()
            .put("server", new JsonObject().put("port", 0))
            .put("drafting", new JsonObject().put("model", DRAFT).put("quantize", "q4"))
            .put(
                "tiers",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("name", "large")
                            .put("verifier", "in-process")
                            .put("model", VERIFIER)
                            .put("quantize", "q8_0")
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
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    router.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
    runtime.close();
  }

  @Test
  void greedyOutputIsTheQuantizedVerifiersOwnAndTheResponseNamesIt() throws Exception {
    String prompt = "def fibonacci(n):";
    List<Integer> quantized;
    List<Integer> plain;
    ModelOptions q8 = ModelOptions.DEFAULT.withQuantize(Quantization.Q8_0);
    try (Model reference = runtime.load(HOME.resolve(VERIFIER), q8);
        Model unquantized = runtime.load(HOME.resolve(VERIFIER), ModelOptions.DEFAULT)) {
      quantized = ReferenceDecoding.greedy(runtime, reference, prompt, 40);
      plain = ReferenceDecoding.greedy(runtime, unquantized, prompt, 40);
    }
    List<Integer> ids = new ArrayList<>();
    List<String> models = new ArrayList<>();
    GenerateRequest request =
        GenerateRequest.newBuilder()
            .setPrompt(prompt)
            .setMaxTokens(40)
            .setReturnTokenIds(true)
            .setSpeculation(
                Speculation.newBuilder()
                    .setDrafter("model")
                    .setMode(Speculation.Mode.MODE_FIXED)
                    .setK(4))
            .build();
    GenerationGrpc.newBlockingStub(channel)
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .generate(request)
        .forEachRemaining(
            (GenerateChunk chunk) -> {
              ids.addAll(chunk.getTokenIdsList());
              if (chunk.hasSummary()) {
                models.add(chunk.getSummary().getModel());
              }
            });
    assertEquals(quantized, ids);
    assertNotEquals(plain, quantized, "the test needs a prompt where quantization shows");
    assertEquals("tiny-gqa-f32:q8_0", models.get(models.size() - 1));
  }
}
