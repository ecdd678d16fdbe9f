package dev.tandem.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.draft.PromptLookupDrafter;
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
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.verifier.InProcessVerifier;
import dev.tandem.verifier.engine.EngineOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Given 2,000 gRPC streams that their clients cancel at seeded random points (before the first
 * chunk, after the n-th, or never), expect no verifier session and no draft session left open once
 * every stream has ended: whatever the moment of the cancel, the generation releases both.
 */
class CancelLeakTest {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final String MODEL = "model/src/test/resources/models/tiny-gqa-f32";
  static final int STREAMS = 2_000;
  static final int IN_FLIGHT = 64;

  @Test
  void streamsCancelledAtRandomPointsLeaveNoSessionBehind() throws Exception {
    Vertx vertx = Vertx.vertx();
    ModelRuntime runtime = new ModelRuntime(1);
    Model model = runtime.load(HOME.resolve(MODEL), ModelOptions.DEFAULT);
    InProcessVerifier verifier =
        new InProcessVerifier("tiny", model, EngineOptions.DEFAULTS.withMaxSessions(256));
    CountingDrafter drafter = new CountingDrafter(new PromptLookupDrafter(1, 3));
    GenerationEngine engine =
        new GenerationEngine(
            Map.of(
                "large",
                new Tier(
                    "large",
                    "tiny",
                    verifier,
                    TokenizerCodec.of(model.tokenizer(), model.config()),
                    model.config().maxPositionEmbeddings(),
                    1e-6)),
            "large",
            Map.of("ngram", drafter),
            "ngram",
            new SpeculationSettings(8, SpeculationMode.FIXED, 3, 1e-8));
    RouterServer router = new RouterServer(vertx, SyntheticRouter.transportConfig(64), engine);
    int port = router.start().await();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build();
    try {
      GenerationGrpc.GenerationStub stub = GenerationGrpc.newStub(channel);
      SplittableRandom random = new SplittableRandom(15);
      Semaphore slots = new Semaphore(IN_FLIGHT);
      CountDownLatch ended = new CountDownLatch(STREAMS);
      AtomicInteger cancelled = new AtomicInteger();
      AtomicInteger completed = new AtomicInteger();
      for (int s = 0; s < STREAMS; s++) {
        // -1: cancel before any chunk; 0..5: after that many chunks; 6: never (most finish first).
        int cancelAfter = random.nextInt(-1, 7);
        slots.acquire();
        stub.generate(
            GenerateRequest.newBuilder()
                .setPrompt("def f(x): return x + " + s)
                .setMaxTokens(12)
                .build(),
            new Canceller(cancelAfter, slots, ended, cancelled, completed));
      }
      assertTrue(ended.await(120, TimeUnit.SECONDS), "every stream ended");
      assertTrue(cancelled.get() > STREAMS / 2, "most streams were cancelled: " + cancelled);
      assertTrue(completed.get() > 0, "some ran to the end: " + completed);
      assertEquals(
          0,
          Eventually.zero(() -> verifier.engine().openSessions(), Duration.ofSeconds(10)),
          "verifier sessions");
      assertEquals(0, Eventually.zero(drafter.open::get, Duration.ofSeconds(10)), "draft sessions");
      assertEquals(0, engine.inFlight(), "generations in flight");
      assertEquals(
          0, engine.queuedPromptTokens("large"), "prompt tokens waiting for a first token");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      router.close().await();
      verifier.close();
      vertx.close().await();
      model.close();
      runtime.close();
    }
  }

  /** Cancels its call at a set point; releases a slot when the call has ended either way. */
  private static final class Canceller
      implements ClientResponseObserver<GenerateRequest, GenerateChunk> {
    private final int cancelAfter;
    private final Semaphore slots;
    private final CountDownLatch ended;
    private final AtomicInteger cancelled;
    private final AtomicInteger completed;
    private ClientCallStreamObserver<GenerateRequest> call;
    private int chunks;

    Canceller(
        int cancelAfter,
        Semaphore slots,
        CountDownLatch ended,
        AtomicInteger cancelled,
        AtomicInteger completed) {
      this.cancelAfter = cancelAfter;
      this.slots = slots;
      this.ended = ended;
      this.cancelled = cancelled;
      this.completed = completed;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<GenerateRequest> requestStream) {
      call = requestStream;
    }

    @Override
    public void onNext(GenerateChunk chunk) {
      if (++chunks == cancelAfter) {
        call.cancel("client gave up", null);
      }
    }

    @Override
    public void onError(Throwable t) {
      cancelled.incrementAndGet();
      done();
    }

    @Override
    public void onCompleted() {
      completed.incrementAndGet();
      done();
    }

    private void done() {
      slots.release();
      ended.countDown();
    }
  }

  /** Counts the draft sessions open now. */
  private static final class CountingDrafter implements DraftProposer {
    final AtomicInteger open = new AtomicInteger();
    private final DraftProposer inner;

    CountingDrafter(DraftProposer inner) {
      this.inner = inner;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public DraftSession open(int[] prompt, SamplingParams params) {
      DraftSession session = inner.open(prompt, params);
      open.incrementAndGet();
      AtomicInteger closes = new AtomicInteger();
      return new DraftSession() {
        @Override
        public CompletionStage<Void> ready() {
          return session.ready();
        }

        @Override
        public CompletionStage<DraftBlock> propose(int k) {
          return session.propose(k);
        }

        @Override
        public void commit(int kept, int next) {
          session.commit(kept, next);
        }

        @Override
        public void close() {
          if (closes.incrementAndGet() == 1) {
            open.decrementAndGet();
          }
          session.close();
        }
      };
    }
  }
}
