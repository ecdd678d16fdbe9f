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
import dev.tandem.router.accounting.InMemoryAccountingStore;
import dev.tandem.router.accounting.Tenant;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Given 2,000 gRPC streams that their clients cancel at seeded random points (before the first
 * chunk, after the n-th, or never), and 1,000 SSE streams whose clients drop the connection at
 * seeded random points (mid-request, before the answer, after the n-th event, or never), expect
 * nothing left once every stream has ended: no verifier session, no draft session, no generation in
 * flight, no reservation held in the accounting store, and the heap back within {@value
 * #HEAP_SLACK_MB} MB of where it was before the streams (used heap after a full GC, measured before
 * and after; the slack covers pools and JIT data that grow once, not per stream).
 */
class CancelLeakTest {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final String MODEL = "model/src/test/resources/models/tiny-gqa-f32";
  static final int STREAMS = 2_000;
  static final int SSE_STREAMS = 1_000;
  static final int IN_FLIGHT = 64;
  static final long HEAP_SLACK_MB = 32;

  @Test
  void grpcStreamsCancelledAtRandomPointsLeaveNothingBehind() throws Exception {
    try (Fixture f = new Fixture()) {
      long baseline = usedHeapAfterGc();
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", f.port)
              .usePlaintext()
              .directExecutor()
              .build();
      try {
        GenerationGrpc.GenerationStub stub = GenerationGrpc.newStub(channel);
        SplittableRandom random = new SplittableRandom(15);
        Semaphore slots = new Semaphore(IN_FLIGHT);
        CountDownLatch ended = new CountDownLatch(STREAMS);
        AtomicInteger cancelled = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        for (int s = 0; s < STREAMS; s++) {
          // -1: cancel before any chunk; 0..5: after that many chunks; 6: never (most finish).
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
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      f.assertNothingLeft(baseline);
    }
  }

  @Test
  void sseClientsThatDisconnectAtRandomPointsLeaveNothingBehind() throws Exception {
    try (Fixture f = new Fixture()) {
      long baseline = usedHeapAfterGc();
      SplittableRandom random = new SplittableRandom(16);
      Semaphore slots = new Semaphore(IN_FLIGHT);
      AtomicInteger dropped = new AtomicInteger();
      AtomicInteger completed = new AtomicInteger();
      Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
      try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int s = 0; s < SSE_STREAMS; s++) {
          // -2: mid-request; -1: before the answer; 0..5: after that many events; 6: never.
          int dropAfter = random.nextInt(-2, 7);
          String prompt = "def f(x): return x + " + s;
          slots.acquire();
          clients.execute(
              () -> {
                try {
                  if (SseDropper.run(f.port, prompt, dropAfter)) {
                    completed.incrementAndGet();
                  } else {
                    dropped.incrementAndGet();
                  }
                } catch (IOException | RuntimeException e) {
                  failures.add(e);
                } finally {
                  slots.release();
                }
              });
        }
      } // waits for every client
      assertEquals(List.of(), List.copyOf(failures), "clients that failed");
      assertEquals(SSE_STREAMS, dropped.get() + completed.get(), "every client ran");
      assertTrue(dropped.get() > SSE_STREAMS / 2, "most clients dropped: " + dropped);
      assertTrue(completed.get() > 0, "some read to the end: " + completed);
      f.assertNothingLeft(baseline);
    }
  }

  /** Used heap after full collections (a few, so that finalizable garbage goes too), in bytes. */
  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** A router on the tiny model with an ngram drafter whose sessions are counted. */
  private static final class Fixture implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final ModelRuntime runtime = new ModelRuntime(1);
    final Model model = runtime.load(HOME.resolve(MODEL), ModelOptions.DEFAULT);
    final InProcessVerifier verifier =
        new InProcessVerifier("tiny", model, EngineOptions.DEFAULTS.withMaxSessions(256));
    final CountingDrafter drafter = new CountingDrafter(new PromptLookupDrafter(1, 3));
    final GenerationEngine engine =
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
    final RouterServer router =
        new RouterServer(vertx, SyntheticRouter.transportConfig(64), engine);
    final int port = router.start().await();

    /** The field initializers load the model, which may fail. */
    Fixture() throws IOException {}

    void assertNothingLeft(long heapBaseline) throws InterruptedException {
      assertEquals(
          0,
          Eventually.zero(() -> verifier.engine().openSessions(), Duration.ofSeconds(10)),
          "verifier sessions");
      assertEquals(0, Eventually.zero(drafter.open::get, Duration.ofSeconds(10)), "draft sessions");
      assertEquals(
          0, Eventually.zero(engine::inFlight, Duration.ofSeconds(10)), "generations in flight");
      assertEquals(
          0, engine.queuedPromptTokens("large"), "prompt tokens waiting for a first token");
      InMemoryAccountingStore store = (InMemoryAccountingStore) engine.cost().store();
      assertEquals(0, store.inFlight(Tenant.ANONYMOUS.id()), "streams held in the store");
      assertEquals(
          0L, store.reservedNanos(Tenant.ANONYMOUS.id()).await(), "reserved spend still held");
      long after = usedHeapAfterGc();
      long grownMb = (after - heapBaseline) >> 20;
      System.out.printf(
          "CancelLeakTest: used heap after GC %d MB before the streams, %d MB after%n",
          heapBaseline >> 20, after >> 20);
      assertTrue(
          grownMb < HEAP_SLACK_MB,
          "used heap after GC grew by " + grownMb + " MB (bound " + HEAP_SLACK_MB + " MB)");
    }

    @Override
    public void close() {
      router.close().await();
      verifier.close();
      vertx.close().await();
      model.close();
      runtime.close();
    }
  }

  /**
   * One SSE client over a raw HTTP/1.1 socket that drops the connection at a set point: mid-way
   * through its request body (-2), right after sending it (-1), after that many {@code data:}
   * events (0..5), or never (6: it reads to {@code [DONE]}).
   */
  private static final class SseDropper {

    /** True when it read the stream to its end. */
    static boolean run(int port, String prompt, int dropAfter) throws IOException {
      byte[] body =
          ("{\"prompt\":\"" + prompt + "\",\"max_tokens\":12,\"stream\":true}")
              .getBytes(StandardCharsets.UTF_8);
      byte[] head =
          ("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\n"
                  + "Content-Type: application/json\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(60_000);
        OutputStream out = socket.getOutputStream();
        out.write(head);
        if (dropAfter == -2) {
          out.write(body, 0, body.length / 2);
          out.flush();
          return false;
        }
        out.write(body);
        out.flush();
        if (dropAfter == -1) {
          return false;
        }
        InputStream in = socket.getInputStream();
        StringBuilder seen = new StringBuilder();
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) >= 0; ) {
          seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
          if (seen.indexOf("data: [DONE]") >= 0) {
            return true;
          }
          if (dropAfter < 6 && events(seen) >= dropAfter) {
            return false;
          }
        }
        throw new IOException("the server closed the stream before [DONE]: " + seen);
      }
    }

    private static int events(CharSequence text) {
      int count = 0;
      for (int i = text.toString().indexOf("data: "); i >= 0; ) {
        count++;
        i = text.toString().indexOf("data: ", i + 1);
      }
      return count;
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
