package dev.tandem.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.draft.NoDrafter;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpc;
import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import dev.tandem.router.boot.TokenizerCodec;
import dev.tandem.router.engine.GenerationEngine;
import dev.tandem.router.engine.SpeculationSettings;
import dev.tandem.router.engine.Tier;
import dev.tandem.router.synthetic.SyntheticRouter;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.Verdict;
import dev.tandem.speccore.Verifier;
import dev.tandem.speccore.VerifierSession;
import dev.tandem.verifier.FaultyRelay;
import dev.tandem.verifier.client.GrpcVerifier;
import dev.tandem.verifier.client.GrpcVerifierOptions;
import dev.tandem.verifier.engine.EngineOptions;
import dev.tandem.verifier.engine.ModelScoring;
import dev.tandem.verifier.engine.SessionEngine;
import dev.tandem.verifier.server.VerifierServer;
import dev.tandem.verifier.server.VerifierServerOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vertx.core.Vertx;
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
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What clients see when the verifiers behind a tier fail: with every server gone mid-stream, the
 * text already streamed and then UNAVAILABLE (gRPC) or an SSE error event (HTTP), never a hang or a
 * 500; with the servers full, RESOURCE_EXHAUSTED / 429 with a retry hint. The fault comes at a
 * fixed verify call of the request, not at a time.
 */
class VerifierFailureRoutingTest {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final String MODEL = "model/src/test/resources/models/tiny-gqa-f32";
  static final int KILL_AT_VERIFY = 4;

  private Vertx vertx;
  private ModelRuntime runtime;
  private Model model;
  private final List<VerifierServer> servers = new ArrayList<>();
  private final List<FaultyRelay> relays = new ArrayList<>();
  private GrpcVerifier verifier;
  private RouterServer router;
  private int port;
  private final AtomicInteger verifies = new AtomicInteger();

  @BeforeEach
  void load() throws Exception {
    vertx = Vertx.vertx();
    runtime = new ModelRuntime(1);
    model = runtime.load(HOME.resolve(MODEL), ModelOptions.DEFAULT);
  }

  @AfterEach
  void stop() {
    if (router != null) {
      router.close().await();
    }
    if (verifier != null) {
      verifier.close();
    }
    relays.forEach(FaultyRelay::close);
    servers.forEach(s -> s.close().await());
    vertx.close().await();
    model.close();
    runtime.close();
  }

  /** Two verifier servers behind relays, a router whose tier is served by them. */
  private void start(int maxSessionsPerServer) {
    for (int i = 0; i < 2; i++) {
      EngineOptions engine = EngineOptions.DEFAULTS.withMaxSessions(maxSessionsPerServer);
      VerifierServer server =
          new VerifierServer(
              new SessionEngine(new ModelScoring("tiny", model), engine),
              VerifierServerOptions.DEFAULTS.withHost("127.0.0.1").withPort(0).withEngine(engine));
      servers.add(server);
      relays.add(FaultyRelay.start(vertx, server.start(vertx).await()));
    }
    verifier =
        new GrpcVerifier(
            vertx,
            GrpcVerifierOptions.of("tiny", relays.stream().map(FaultyRelay::endpoint).toList())
                .withMaxFailovers(2));
    Tier tier =
        new Tier(
            "large",
            "tiny",
            new KillingVerifier(verifier),
            TokenizerCodec.of(model.tokenizer(), model.config()),
            model.config().maxPositionEmbeddings(),
            1e-6);
    GenerationEngine engine =
        new GenerationEngine(
            Map.of("large", tier),
            "large",
            Map.of("none", new NoDrafter()),
            "none",
            new SpeculationSettings(8, SpeculationMode.OFF, 4, 1e-8));
    router = new RouterServer(vertx, SyntheticRouter.transportConfig(64), engine);
    port = router.start().await();
  }

  @Test
  void everyServerGoneMidStreamEndsTheGrpcStreamUnavailableAfterItsText() throws Exception {
    start(8);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      Iterator<GenerateChunk> chunks =
          GenerationGrpc.newBlockingStub(channel)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .generate(
                  GenerateRequest.newBuilder()
                      .setPrompt("hello world")
                      .setMaxTokens(48)
                      .setReturnTokenIds(true)
                      .build());
      List<Integer> tokens = new ArrayList<>();
      StatusRuntimeException failure =
          assertThrows(
              StatusRuntimeException.class,
              () -> chunks.forEachRemaining(c -> tokens.addAll(c.getTokenIdsList())));
      assertEquals(Status.Code.UNAVAILABLE, failure.getStatus().getCode(), failure.toString());
      // The first token and one token per verify before the kill reached the client.
      assertEquals(KILL_AT_VERIFY, tokens.size(), tokens.toString());
      assertEquals(ReferenceDecoding.greedy(runtime, model, "hello world", KILL_AT_VERIFY), tokens);
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void everyServerGoneMidStreamEndsTheSseStreamWithAnErrorEventAfterItsText() throws Exception {
    start(8);
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            new JsonObject()
                                .put("prompt", "hello world")
                                .put("max_tokens", 48)
                                .put("stream", true)
                                .encode()))
                    .timeout(Duration.ofSeconds(60))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    List<String> events =
        response
            .body()
            .lines()
            .filter(l -> l.startsWith("data: "))
            .map(l -> l.substring(6))
            .toList();
    assertEquals("[DONE]", events.get(events.size() - 1));
    JsonObject error = new JsonObject(events.get(events.size() - 2)).getJsonObject("error");
    assertEquals("unavailable", error.getString("code"), error.encode());
    StringBuilder text = new StringBuilder();
    for (String event : events.subList(0, events.size() - 2)) {
      text.append(new JsonObject(event).getJsonArray("choices").getJsonObject(0).getString("text"));
    }
    assertFalse(text.isEmpty(), "text streamed before the failure");
    assertTrue(
        model
            .tokenizer()
            .decode(
                ReferenceDecoding.greedy(runtime, model, "hello world", 48).stream()
                    .mapToInt(Integer::intValue)
                    .toArray())
            .startsWith(text.toString()),
        text.toString());
  }

  @Test
  void fullVerifiersAreResourceExhaustedWithARetryHintNotAServerError() throws Exception {
    start(1);
    List<VerifierSession> held = new ArrayList<>();
    for (int i = 0; i < 2; i++) { // one session fills each server
      held.add(
          verifier
              .open(new int[] {1, 2, 3}, SamplingParams.GREEDY, 16)
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS));
    }
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            new JsonObject().put("prompt", "hi").put("max_tokens", 4).encode()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(429, response.statusCode(), response.body());
    assertEquals("1", response.headers().firstValue("Retry-After").orElse(null));
    assertTrue(response.body().contains("max-sessions"), response.body());

    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      StatusRuntimeException failure =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  GenerationGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(60, TimeUnit.SECONDS)
                      .generate(
                          GenerateRequest.newBuilder().setPrompt("hi").setMaxTokens(4).build())
                      .forEachRemaining(c -> {}));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, failure.getStatus().getCode());
      assertEquals(
          "1000",
          failure
              .getTrailers()
              .get(Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER)));
    } finally {
      channel.shutdownNow();
    }
    held.forEach(VerifierSession::close);
  }

  /** Kills every relay just before the request's {@value #KILL_AT_VERIFY}th verify call. */
  private final class KillingVerifier implements Verifier {
    private final Verifier inner;

    KillingVerifier(Verifier inner) {
      this.inner = inner;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public CompletionStage<VerifierSession> open(int[] prompt, SamplingParams params, int max) {
      return inner
          .open(prompt, params, max)
          .thenApply(
              session ->
                  new VerifierSession() {
                    @Override
                    public int firstToken() {
                      return session.firstToken();
                    }

                    @Override
                    public CompletionStage<Verdict> verify(DraftBlock draft) {
                      if (verifies.incrementAndGet() == KILL_AT_VERIFY) {
                        relays.forEach(FaultyRelay::kill);
                      }
                      return session.verify(draft);
                    }

                    @Override
                    public void close() {
                      session.close();
                    }
                  });
    }
  }
}
