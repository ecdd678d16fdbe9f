package dev.tandem.bench.verifier;

import dev.tandem.draft.PromptLookupDrafter;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.speccore.FixedDraftLength;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SinkSignal;
import dev.tandem.speccore.SpeculationLoop;
import dev.tandem.speccore.Verifier;
import dev.tandem.verifier.client.GrpcVerifier;
import dev.tandem.verifier.client.GrpcVerifierOptions;
import dev.tandem.verifier.engine.EngineOptions;
import dev.tandem.verifier.engine.ModelScoring;
import dev.tandem.verifier.engine.SessionEngine;
import dev.tandem.verifier.server.VerifierServer;
import dev.tandem.verifier.server.VerifierServerOptions;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Mid-stream failover, measured: N greedy streams run speculative decoding through a gRPC verifier
 * client whose sessions all sit on server A (server B starts once they opened). When every stream
 * has emitted a few steps and is held by its client, A dies (its Vert.x instance closes: every
 * connection drops at once); then the streams go on, and each one's next chunk must come from B,
 * which resumes it at its position. It prints, per stream, the time from A's death (its close
 * complete, the streams released) to the stream's next chunk (p50, p99, max), and how many streams'
 * full output equals a run without the failure.
 *
 * <p>Usage: {@code FailoverBenchmark [--model DIR] [--streams 50] [--tokens 64] [--k 4]}.
 */
public final class FailoverBenchmark {

  private static final int STEPS_BEFORE_KILL = 3;

  private FailoverBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path modelDir = BatchingBenchmark.defaultModel();
    int streams = 50;
    int tokens = 64;
    int k = 4;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--model" -> modelDir = Path.of(args[i + 1]);
        case "--streams" -> streams = Integer.parseInt(args[i + 1]);
        case "--tokens" -> tokens = Integer.parseInt(args[i + 1]);
        case "--k" -> k = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Vertx vertx = Vertx.vertx();
    Vertx dying = Vertx.vertx();
    EngineOptions engine = EngineOptions.DEFAULTS.withMaxSessions(4 * streams);
    try (ModelRuntime runtime = new ModelRuntime(1);
        Model model = runtime.load(modelDir, ModelOptions.DEFAULT)) {
      int vocab = model.config().vocabSize();
      List<int[]> prompts = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        prompts.add(prompt(s, 8 + s % 24, vocab));
      }
      VerifierServer a = server(model, engine, 0);
      int portA = a.start(dying).await();
      int portB = freePort();

      // The clean run: the same streams on one healthy server, nothing killed.
      VerifierServer clean = server(model, engine, 0);
      int cleanPort = clean.start(vertx).await();
      List<int[]> expected;
      try (GrpcVerifier verifier = client(vertx, List.of("127.0.0.1:" + cleanPort))) {
        expected = run(verifier, prompts, tokens, k, null).outputs();
      }
      clean.close().await();

      try (GrpcVerifier verifier =
          client(vertx, List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB))) {
        awaitHealthy(verifier, 1); // B is down: every session opens on A
        Gate gate = new Gate(streams, STEPS_BEFORE_KILL);
        int maxTokens = tokens;
        int draftLength = k;
        CompletableFuture<Run> failing =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return run(verifier, prompts, maxTokens, draftLength, gate);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        gate.allHeld.await(120, TimeUnit.SECONDS);
        VerifierServer b = server(model, engine, portB);
        b.start(vertx).await();
        awaitHealthy(verifier, 2);
        int onA = a.engine().openSessions();
        dying.close().await(); // A dies: every connection drops
        // The streams were waiting for their client (the gate) when A died; from here each one's
        // next verify finds its session lost, resumes on B and gets its verdict there.
        gate.killedAt.set(System.nanoTime());
        gate.release.complete(null);
        Run result = failing.get(300, TimeUnit.SECONDS);
        long[] gaps = gate.firstAfterKill();
        Arrays.sort(gaps);
        int equal = 0;
        for (int s = 0; s < streams; s++) {
          if (Arrays.equals(expected.get(s), result.outputs().get(s))) {
            equal++;
          }
        }
        System.out.printf(
            "%n| streams | on the killed server | kill -> next chunk p50 | p99 | max |"
                + " output equal to the clean run |%n|---|---|---|---|---|---|%n"
                + "| %d | %d | %.1f ms | %.1f ms | %.1f ms | %d/%d |%n",
            streams,
            onA,
            gaps[(int) Math.floor(0.5 * (gaps.length - 1))] / 1e6,
            gaps[(int) Math.ceil(0.99 * (gaps.length - 1))] / 1e6,
            gaps[gaps.length - 1] / 1e6,
            equal,
            streams);
        b.close().await();
      }
      a.engine().close();
    } finally {
      vertx.close().await();
    }
  }

  private record Run(List<int[]> outputs) {}

  /** Holds every stream after a few steps until the kill; then times each one's next chunk. */
  private static final class Gate {
    final CountDownLatch allHeld;
    final CompletableFuture<Void> release = new CompletableFuture<>();
    final AtomicLong killedAt = new AtomicLong();
    final long[] nextChunkAt;
    final int steps;

    Gate(int streams, int steps) {
      this.allHeld = new CountDownLatch(streams);
      this.nextChunkAt = new long[streams];
      this.steps = steps;
    }

    synchronized void chunk(int stream, int step, long now) {
      if (step > steps && nextChunkAt[stream] == 0) {
        nextChunkAt[stream] = now;
      }
    }

    synchronized long[] firstAfterKill() {
      return Arrays.stream(nextChunkAt).map(t -> t - killedAt.get()).toArray();
    }
  }

  private static Run run(Verifier verifier, List<int[]> prompts, int tokens, int k, Gate gate)
      throws Exception {
    List<CompletableFuture<int[]>> runs = new ArrayList<>();
    PromptLookupDrafter drafter = new PromptLookupDrafter(1, 3);
    for (int s = 0; s < prompts.size(); s++) {
      int stream = s;
      int[] prompt = prompts.get(s);
      int[] step = {0};
      IntStream.Builder out = IntStream.builder();
      runs.add(
          verifier
              .open(prompt, SamplingParams.GREEDY, prompt.length + tokens)
              .thenCompose(
                  session ->
                      SpeculationLoop.builder()
                          .draft(drafter.open(prompt, SamplingParams.GREEDY))
                          .verifier(session)
                          .chooser(new FixedDraftLength(k))
                          .maxTokens(tokens)
                          .keepSteps(false)
                          .sink(
                              emitted -> {
                                IntStream.of(emitted).forEach(out::add);
                                step[0]++;
                                if (gate == null) {
                                  return CompletableFuture.completedFuture(SinkSignal.CONTINUE);
                                }
                                gate.chunk(stream, step[0], System.nanoTime());
                                if (step[0] == gate.steps) {
                                  gate.allHeld.countDown();
                                  return gate.release.thenApply(v -> SinkSignal.CONTINUE);
                                }
                                return CompletableFuture.completedFuture(SinkSignal.CONTINUE);
                              })
                          .build()
                          .start())
              .thenApply(result -> out.build().toArray())
              .toCompletableFuture());
    }
    List<int[]> outputs = new ArrayList<>();
    for (CompletableFuture<int[]> r : runs) {
      outputs.add(r.get(300, TimeUnit.SECONDS));
    }
    return new Run(outputs);
  }

  private static VerifierServer server(Model model, EngineOptions engine, int port) {
    return new VerifierServer(
        new SessionEngine(new ModelScoring("bench", model), engine),
        VerifierServerOptions.DEFAULTS.withHost("127.0.0.1").withPort(port).withEngine(engine));
  }

  private static GrpcVerifier client(Vertx vertx, List<String> endpoints) {
    return new GrpcVerifier(
        vertx,
        GrpcVerifierOptions.of("", endpoints)
            .withHealthInterval(Duration.ofMillis(100))
            .withMaxFailovers(2));
  }

  private static void awaitHealthy(GrpcVerifier verifier, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (verifier.healthyEndpoints().await().size() != count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("endpoints did not reach " + count + " healthy");
      }
      Thread.sleep(20);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static int[] prompt(int seed, int length, int vocab) {
    int[] prompt = new int[length];
    for (int i = 0; i < length; i++) {
      prompt[i] = 1 + Math.floorMod(seed * 7919 + i * 104_729 + i * i * 31, vocab - 1);
    }
    return prompt;
  }
}
