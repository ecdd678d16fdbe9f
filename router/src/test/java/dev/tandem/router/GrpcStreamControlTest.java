package dev.tandem.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpc;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.router.synthetic.SyntheticRouter;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cancellation, deadlines, concurrency and flow control of Generate, against a synthetic verifier
 * that paces each call like a remote one (5 ms).
 */
class GrpcStreamControlTest {

  SyntheticRouter router;
  ManagedChannel channel;

  @BeforeEach
  void start() {
    router = new SyntheticRouter(5, 0.6, 4096);
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", router.port)
            .usePlaintext()
            .directExecutor()
            .build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    router.close();
  }

  /** Bounded at 10 s: on a loaded 2-core box the server may see a reset a few seconds late. */
  private void awaitNoOpenSessions() {
    assertEquals(
        0,
        Eventually.zero(router.backend::openSessions, Duration.ofSeconds(10)),
        "verifier sessions left open");
  }

  @Test
  void cancelledStreamClosesItsVerifierSession() throws Exception {
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<GenerateChunk> it =
        context.call(
            () ->
                GenerationGrpc.newBlockingStub(channel)
                    .generate(
                        GenerateRequest.newBuilder().setPrompt("p").setMaxTokens(4000).build()));
    it.next();
    it.next();
    assertEquals(1, router.backend.openSessions());
    context.cancel(null);
    awaitNoOpenSessions();
  }

  @Test
  void deadlineEndsWithDeadlineExceededAfterSendingWhatWasProduced() throws Exception {
    Iterator<GenerateChunk> it =
        GenerationGrpc.newBlockingStub(channel)
            .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
            .generate(GenerateRequest.newBuilder().setPrompt("p").setMaxTokens(4000).build());
    StringBuilder received = new StringBuilder();
    StatusRuntimeException error = null;
    try {
      it.forEachRemaining(c -> received.append(c.getText()));
    } catch (StatusRuntimeException e) {
      error = e;
    }
    assertTrue(
        error != null && error.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED,
        String.valueOf(error));
    // What arrived before the deadline is the verifier's text; how much arrived depends on how
    // busy the machine is, so none is required (VerifierFailureRoutingTest shows, without a clock,
    // that text produced before a failure reaches the client).
    assertTrue(SyntheticRouter.expectedText(received.length()).contentEquals(received));
    awaitNoOpenSessions();
  }

  @Test
  void hundredConcurrentStreamsCompleteCorrectly() throws Exception {
    GenerationGrpc.GenerationStub stub = GenerationGrpc.newStub(channel);
    int streams = 100;
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      CompletableFuture<String> result = new CompletableFuture<>();
      results.add(result);
      StringBuilder text = new StringBuilder();
      stub.generate(
          GenerateRequest.newBuilder().setPrompt("stream " + i).setMaxTokens(60).build(),
          new StreamObserver<>() {
            @Override
            public void onNext(GenerateChunk chunk) {
              text.append(chunk.getText());
            }

            @Override
            public void onError(Throwable t) {
              result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
              result.complete(text.toString());
            }
          });
    }
    for (CompletableFuture<String> result : results) {
      assertEquals(SyntheticRouter.expectedText(60), result.get(30, TimeUnit.SECONDS));
    }
    awaitNoOpenSessions();
  }

  /**
   * A client that stops reading: the router must pause the loop once the transport's buffers are
   * full instead of generating (and buffering) the whole answer. With a zero-latency verifier and
   * max_tokens of a million, generation stops after what fits in the HTTP/2 windows and Vert.x's
   * write queue (about 2 MiB per stream, i.e. well under a million tokens): that is the memory
   * bound per client that never reads. The pause is observed as the router reports it (the
   * flow-control metric), not by watching the token count stand still for a while.
   */
  @Test
  void slowReaderPausesGenerationInsteadOfBuffering() throws Exception {
    PrometheusMeterRegistry registry = RouterMetrics.newRegistry();
    try (SyntheticRouter fast =
        new SyntheticRouter(0, 0.6, 1_000_000, RouterMetrics.enabled(registry))) {
      ManagedChannel fastChannel =
          NettyChannelBuilder.forAddress("127.0.0.1", fast.port)
              .usePlaintext()
              .directExecutor()
              .build();
      AtomicInteger received = new AtomicInteger();
      ClientResponseObserver<GenerateRequest, GenerateChunk> observer =
          new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<GenerateRequest> requestStream) {
              requestStream.disableAutoInboundFlowControl();
            }

            @Override
            public void onNext(GenerateChunk value) {
              received.incrementAndGet();
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          };
      GenerationGrpc.newStub(fastChannel)
          .generate(
              GenerateRequest.newBuilder()
                  .setPrompt("slow")
                  .setMaxTokens(1_000_000)
                  .setReturnTokenIds(true)
                  .build(),
              observer);
      Eventually.until(
          () -> pauses(registry) >= 1, Duration.ofSeconds(30), "the generation to pause");
      long atPause = fast.backend.tokensEmitted();
      assertTrue(atPause < 1_000_000, "generated everything while nobody read: " + atPause);
      assertTrue(
          received.get() <= 2, "the client read at most what it requested, got " + received.get());
      assertEquals(1, fast.backend.openSessions(), "the stream is paused, not finished");
      fastChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      assertEquals(
          0,
          Eventually.zero(fast.backend::openSessions, Duration.ofSeconds(10)),
          "closing the paused stream freed its session");
    }
  }

  private static double pauses(PrometheusMeterRegistry registry) {
    Counter counter = registry.find("tandem.flow.control.pauses").counter();
    return counter == null ? 0 : counter.count();
  }
}
