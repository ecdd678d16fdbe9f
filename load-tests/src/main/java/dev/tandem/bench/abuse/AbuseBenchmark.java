package dev.tandem.bench.abuse;

import dev.tandem.bench.router.Percentiles;
import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpc;
import dev.tandem.router.config.TandemConfig.Connections;
import dev.tandem.router.synthetic.SyntheticRouter;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What abusive clients cost the well-behaved ones: a few gRPC streams on a paced synthetic verifier
 * (5 ms per step, as a remote verifier) record the gap between their chunks, first with nobody else
 * on the router, then while abusers run ({@link Abusers}: slowloris heads, a connection flood,
 * HTTP/2 rapid-reset floods, oversized and non-UTF-8 bodies, gRPC clients that never read), then
 * clean again; one router, one run, so the ratio is what to read. The abusers run in this process
 * (the machine's cores are shared between them and the router, as they would be on one box). Usage:
 * {@code ./tandem bench abuse [--seconds 10] [--streams 16] [--only KIND]}, KIND one of {@code
 * slowloris, flood, rapid-reset, oversized, not-utf8, never-read} (default: all at once).
 */
public final class AbuseBenchmark {

  private static final Connections LIMITS =
      new Connections(
          16 * 1024,
          8 * 1024,
          Duration.ofSeconds(2),
          Duration.ofSeconds(60),
          4096,
          100,
          Duration.ofSeconds(10));

  private AbuseBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = intArg(args, "--seconds", 10);
    int streams = intArg(args, "--streams", 16);
    java.util.Set<Abusers.Kind> kinds =
        stringArg(args, "--only")
            .map(only -> java.util.EnumSet.of(Abusers.Kind.of(only)))
            .orElse(java.util.EnumSet.allOf(Abusers.Kind.class));
    try (SyntheticRouter router = new SyntheticRouter(5, 0.6, 1_000_000, LIMITS)) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", router.port)
              .usePlaintext()
              .directExecutor()
              .build();
      try {
        phase(channel, streams, 2, null); // warm-up, not reported
        Percentiles clean = phase(channel, streams, seconds, null);
        Abusers abusers = new Abusers(router.port, kinds);
        System.out.println("abusers: " + kinds);
        Percentiles abused = phase(channel, streams, seconds, abusers);
        Percentiles after = phase(channel, streams, seconds, null);
        System.out.printf(
            "%n| phase | chunks | gap p50 ms | p90 ms | p99 ms | max ms |%n|---|---|---|---|---|---|%n");
        row("clean", clean);
        row("under abuse", abused);
        row("clean again", after);
        System.out.printf("%np99 under abuse / clean: %.2fx%n", abused.at(99) / clean.at(99));
        System.out.println("abusers: " + abusers.summary());
        System.out.printf(
            "router: connections refused %d, cut off by the head timeout %d, open now %d%n",
            router.server.connections().refused(),
            router.server.connections().timedOut(),
            router.server.connections().open());
        System.out.printf(
            "heap used %d MB (no GC forced); load average %.2f%n",
            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20,
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static void row(String name, Percentiles p) {
    System.out.printf(
        "| %s | %d | %.2f | %.2f | %.2f | %.2f |%n",
        name, p.count(), p.at(50), p.at(90), p.at(99), p.at(100));
  }

  /**
   * Runs {@code streams} well-behaved streams back to back for {@code seconds} (with the abusers
   * running meanwhile when given) and returns the gaps between consecutive chunks, in ms.
   */
  private static Percentiles phase(
      ManagedChannel channel, int streams, int seconds, Abusers abusers) throws Exception {
    Queue<Double> gaps = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> loops = new ArrayList<>();
    for (int s = 0; s < streams; s++) {
      int id = s;
      loops.add(Thread.ofPlatform().start(() -> streamLoop(channel, id, running, gaps)));
    }
    if (abusers != null) {
      abusers.start();
    }
    Thread.sleep(seconds * 1000L);
    running.set(false);
    for (Thread t : loops) {
      t.join();
    }
    if (abusers != null) {
      abusers.stop();
    }
    return new Percentiles(gaps);
  }

  /** Streams of 200 tokens one after another until told to stop; records each chunk gap. */
  private static void streamLoop(
      ManagedChannel channel, int id, AtomicBoolean running, Queue<Double> gaps) {
    GenerationGrpc.GenerationStub stub = GenerationGrpc.newStub(channel);
    while (running.get()) {
      java.util.concurrent.CompletableFuture<Void> done =
          new java.util.concurrent.CompletableFuture<>();
      stub.generate(
          GenerateRequest.newBuilder().setPrompt("well behaved " + id).setMaxTokens(200).build(),
          new StreamObserver<>() {
            long last = -1;

            @Override
            public void onNext(GenerateChunk chunk) {
              long now = System.nanoTime();
              if (last >= 0 && running.get()) {
                gaps.add((now - last) / 1e6);
              }
              last = now;
            }

            @Override
            public void onError(Throwable t) {
              done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
              done.complete(null);
            }
          });
      done.join();
    }
  }

  private static java.util.Optional<String> stringArg(String[] args, String name) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return java.util.Optional.of(args[i + 1]);
      }
    }
    return java.util.Optional.empty();
  }

  private static int intArg(String[] args, String name, int defaultValue) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return defaultValue;
  }

  /** Used by {@link Abusers}: a gRPC stream that never reads after its first message. */
  static void neverRead(ManagedChannel channel) {
    GenerationGrpc.newStub(channel)
        .generate(
            GenerateRequest.newBuilder().setPrompt("never read").setMaxTokens(1_000_000).build(),
            new ClientResponseObserver<GenerateRequest, GenerateChunk>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<GenerateRequest> call) {
                call.disableAutoInboundFlowControl();
              }

              @Override
              public void onNext(GenerateChunk value) {}

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
  }
}
