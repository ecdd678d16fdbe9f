package dev.tandem.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.proto.v1.FinishReason;
import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpc;
import dev.tandem.proto.v1.Speculation;
import dev.tandem.router.synthetic.SyntheticRouter;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Generate over gRPC with an independent client (grpc-java) against the synthetic backend. */
class GrpcGenerateTest {

  static SyntheticRouter router;
  static ManagedChannel channel;
  static GenerationGrpc.GenerationBlockingStub stub;

  @BeforeAll
  static void start() {
    router = new SyntheticRouter(0, 0.7, 256);
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", router.port)
            .usePlaintext()
            .directExecutor()
            .build();
    stub = GenerationGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    router.close();
  }

  private static List<GenerateChunk> generate(GenerateRequest request) {
    List<GenerateChunk> chunks = new ArrayList<>();
    Iterator<GenerateChunk> it = stub.withDeadlineAfter(20, TimeUnit.SECONDS).generate(request);
    it.forEachRemaining(chunks::add);
    return chunks;
  }

  private static String text(List<GenerateChunk> chunks) {
    StringBuilder text = new StringBuilder();
    chunks.forEach(c -> text.append(c.getText()));
    return text.toString();
  }

  @Test
  void streamsTheVerifiersTextWithUsageAndSpeculationStatsOnTheLastChunk() {
    List<GenerateChunk> chunks =
        generate(
            GenerateRequest.newBuilder()
                .setPrompt("hello")
                .setMaxTokens(40)
                .setSpeculation(
                    Speculation.newBuilder().setMode(Speculation.Mode.MODE_FIXED).setK(4))
                .build());
    assertEquals(SyntheticRouter.expectedText(40), text(chunks));
    GenerateChunk last = chunks.get(chunks.size() - 1);
    assertEquals(FinishReason.FINISH_REASON_LENGTH, last.getFinishReason());
    assertEquals(40, last.getSummary().getUsage().getCompletionTokens());
    assertEquals(5, last.getSummary().getUsage().getPromptTokens());
    assertTrue(last.getSummary().getSpeculation().getAcceptedTokens() > 0);
    assertTrue(chunks.size() < 40, "accepted tokens of a step are coalesced into one chunk");
    assertEquals("large", last.getSummary().getTier());
  }

  @Test
  void stopSequenceEndsTheStreamWithoutSendingIt() {
    List<GenerateChunk> chunks =
        generate(
            GenerateRequest.newBuilder().setPrompt("x").setMaxTokens(100).addStop("fox").build());
    assertEquals("The quick brown ", text(chunks));
    assertEquals(FinishReason.FINISH_REASON_STOP, chunks.get(chunks.size() - 1).getFinishReason());
  }

  @Test
  void everySpeculationModeGivesTheSameText() {
    for (Speculation s :
        List.of(
            Speculation.newBuilder().setMode(Speculation.Mode.MODE_OFF).build(),
            Speculation.newBuilder().setMode(Speculation.Mode.MODE_FIXED).setK(3).build(),
            Speculation.newBuilder().setDrafter("ngram").build(),
            Speculation.newBuilder().setDrafter("none").build())) {
      List<GenerateChunk> chunks =
          generate(
              GenerateRequest.newBuilder()
                  .setPrompt("y")
                  .setMaxTokens(30)
                  .setSpeculation(s)
                  .build());
      assertEquals(SyntheticRouter.expectedText(30), text(chunks), s.toString());
    }
  }

  @Test
  void badRequestsGetInvalidArgumentNamingTheField() {
    record Case(GenerateRequest request, Status.Code code, String message) {}
    List<Case> cases =
        List.of(
            new Case(
                GenerateRequest.newBuilder().setMaxTokens(5).build(),
                Status.Code.INVALID_ARGUMENT,
                "prompt"),
            new Case(
                GenerateRequest.newBuilder().setPrompt("a").setMaxTokens(100000).build(),
                Status.Code.INVALID_ARGUMENT,
                "max_tokens must be in 1..256, got 100000"),
            new Case(
                GenerateRequest.newBuilder().setPrompt("a").setTemperature(-1).build(),
                Status.Code.INVALID_ARGUMENT,
                "temperature must be in 0..2.0, got -1.0"),
            new Case(
                GenerateRequest.newBuilder().setPrompt("a").setTopP(0).build(),
                Status.Code.INVALID_ARGUMENT,
                "top_p"),
            new Case(
                GenerateRequest.newBuilder().setPrompt("a").setModel("huge").build(),
                Status.Code.NOT_FOUND,
                "model must be one of"),
            new Case(
                GenerateRequest.newBuilder()
                    .setPrompt("a")
                    .setSpeculation(Speculation.newBuilder().setK(99))
                    .build(),
                Status.Code.INVALID_ARGUMENT,
                "speculation.k must be in 0..8, got 99"),
            new Case(
                GenerateRequest.newBuilder().setPrompt("a").addStop("").build(),
                Status.Code.INVALID_ARGUMENT,
                "stop[0]"));
    for (Case c : cases) {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> generate(c.request()));
      assertEquals(c.code(), e.getStatus().getCode(), c.message());
      assertTrue(
          e.getStatus().getDescription().contains(c.message()), e.getStatus().getDescription());
    }
    assertEquals(
        SyntheticRouter.expectedText(3),
        text(generate(GenerateRequest.newBuilder().setPrompt("ok").setMaxTokens(3).build())),
        "the server keeps serving");
  }
}
