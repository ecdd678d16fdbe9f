package dev.tandem.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Model;
import dev.tandem.model.ModelRuntime;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.VerifierException;
import dev.tandem.speccore.VerifierSession;
import dev.tandem.verifier.client.BreakerState;
import dev.tandem.verifier.client.EndpointStatus;
import dev.tandem.verifier.client.GrpcVerifier;
import dev.tandem.verifier.client.GrpcVerifierOptions;
import dev.tandem.verifier.engine.EngineOptions;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mid-stream failover through fault-injecting relays in front of two real verifier servers: a
 * session whose server dies or stalls moves to the other one at the same position and the output is
 * the one an uninterrupted run gives; with no server left every stream fails UNAVAILABLE, none
 * hangs. Faults are triggered by the streams' own progress (a step count), never by a timer.
 */
class GrpcFailoverTest {

  private static final int STREAMS = 50;
  private static final int MAX_TOKENS = 24;

  private static Vertx vertx;
  private static ModelRuntime verifierRuntime;
  private static ModelRuntime draftRuntime;
  private static Model verifierModel;
  private static Model draftModel;

  private ServerFixture serverA;
  private ServerFixture serverB;
  private FaultyRelay relayA;
  private FaultyRelay relayB;

  @BeforeAll
  static void load() {
    vertx = Vertx.vertx();
    verifierRuntime = new ModelRuntime(1);
    draftRuntime = new ModelRuntime(1);
    verifierModel = TestModels.load(verifierRuntime, TestModels.VERIFIER);
    draftModel = TestModels.load(draftRuntime, TestModels.DRAFT);
  }

  @AfterAll
  static void unload() {
    vertx.close().await();
    verifierModel.close();
    draftModel.close();
    verifierRuntime.close();
    draftRuntime.close();
  }

  private void startServers() {
    EngineOptions engine = EngineOptions.DEFAULTS.withMaxSessions(2 * STREAMS);
    serverA = new ServerFixture(vertx, verifierModel, engine);
    serverB = new ServerFixture(vertx, verifierModel, engine);
    relayA = FaultyRelay.start(vertx, serverA.port);
    relayB = FaultyRelay.start(vertx, serverB.port);
  }

  @AfterEach
  void stopServers() {
    for (AutoCloseable c : new AutoCloseable[] {relayA, relayB, serverA, serverB}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private GrpcVerifier client(Duration callTimeout, int maxFailovers) {
    return new GrpcVerifier(
        vertx,
        GrpcVerifierOptions.of("tiny", List.of(relayA.endpoint(), relayB.endpoint()))
            .withCallTimeout(callTimeout)
            .withMaxFailovers(maxFailovers));
  }

  private static int[] prompt(int stream) {
    return TestModels.prompt(200 + stream, 3 + stream % 6);
  }

  private static CompletableFuture<int[]> stream(
      GrpcVerifier verifier, int stream, SamplingParams params, Runnable onStep) {
    return gatedStream(
        verifier,
        stream,
        params,
        () -> {
          onStep.run();
          return CompletableFuture.completedFuture(null);
        });
  }

  private static CompletableFuture<int[]> gatedStream(
      GrpcVerifier verifier,
      int stream,
      SamplingParams params,
      Supplier<CompletionStage<?>> onStep) {
    return Speculate.generate(
            verifier,
            new ModelDrafter(draftModel, 128),
            prompt(stream),
            params,
            1 + stream % 4,
            MAX_TOKENS,
            onStep)
        .toCompletableFuture();
  }

  @Test
  void killingAServerMidStreamMovesItsStreamsToTheOtherWithIdenticalOutput() throws Exception {
    startServers();
    // The kill comes at a seeded random step of all streams together, mid-generation.
    int killAtStep = 40 + new SplittableRandom(15).nextInt(80);
    AtomicInteger steps = new AtomicInteger();
    // Health is checked once, at start: what the metrics see after the kill is published by the
    // breaker as it opens, not by a later health-check round.
    try (GrpcVerifier verifier =
        new GrpcVerifier(
            vertx,
            GrpcVerifierOptions.of("tiny", List.of(relayA.endpoint(), relayB.endpoint()))
                .withCallTimeout(Duration.ofSeconds(30))
                .withMaxFailovers(2)
                .withHealthInterval(Duration.ofHours(1)))) {
      List<CompletableFuture<int[]>> runs = new ArrayList<>();
      for (int s = 0; s < STREAMS; s++) {
        runs.add(
            stream(
                verifier,
                s,
                SamplingParams.GREEDY,
                () -> {
                  if (steps.incrementAndGet() == killAtStep) {
                    relayA.kill();
                  }
                }));
      }
      for (int s = 0; s < STREAMS; s++) {
        int[] alone =
            TestModels.decode(verifierModel, prompt(s), SamplingParams.GREEDY, MAX_TOKENS);
        assertArrayEquals(alone, runs.get(s).get(60, TimeUnit.SECONDS), "stream " + s);
      }
      assertTrue(steps.get() > killAtStep, "the kill came mid-generation");
      assertEquals(0, serverA.awaitNoSessions());
      assertEquals(0, serverB.awaitNoSessions());
      EndpointStatus a = verifier.endpointStatus().await().get(0);
      assertEquals(BreakerState.OPEN, a.breaker(), a.toString());
      assertEquals(
          BreakerState.OPEN,
          verifier.lastEndpointStatus().get(0).breaker(),
          "the gauges' view changed with the breaker");
      assertEquals(0, a.sessions());
      assertEquals(0, verifier.endpointStatus().await().get(1).sessions());
    }
  }

  @Test
  void aSeededSampledStreamGivesTheSameTokensWhenItsServerDies() throws Exception {
    startServers();
    SamplingParams params = new SamplingParams(1f, 1f, 8, 1234);
    int[] clean;
    try (GrpcVerifier verifier = client(Duration.ofSeconds(30), 2)) {
      clean = stream(verifier, 7, params, () -> {}).get(60, TimeUnit.SECONDS);
    }
    for (int killAt = 1; killAt <= 5; killAt += 2) {
      int kill = killAt;
      AtomicInteger steps = new AtomicInteger();
      relayA.heal();
      relayB.heal();
      try (GrpcVerifier verifier = client(Duration.ofSeconds(30), 2)) {
        int[] failedOver =
            stream(
                    verifier,
                    7,
                    params,
                    () -> {
                      if (steps.incrementAndGet() == kill) {
                        relayA.kill();
                        relayB.kill(); // whichever serves it; the stream must fail over to...
                        relayB.heal(); // ...B, reachable again for new connections
                      }
                    })
                .get(60, TimeUnit.SECONDS);
        assertArrayEquals(clean, failedOver, "killed after step " + kill);
      }
    }
  }

  /**
   * One failed health check (its connection cut, as a busy or briefly unreachable server's may be)
   * leaves a live server in rotation: a stream whose server dies afterwards fails over to it. With
   * one failure enough to eject it, the stream found no server left.
   */
  @Test
  void aServerThatMissedOneHealthCheckStillTakesAFailover() throws Exception {
    startServers();
    relayB.refuse(); // B's first health check has its connection closed
    try (GrpcVerifier verifier =
        new GrpcVerifier(
            vertx,
            GrpcVerifierOptions.of("tiny", List.of(relayA.endpoint(), relayB.endpoint()))
                .withMaxFailovers(2)
                .withHealthInterval(Duration.ofHours(1)))) { // one check round, at the start
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (verifier.endpointStatus().await().get(1).failedHealthChecks() == 0) {
        assertTrue(System.nanoTime() < deadline, "B's health check never failed");
        Thread.sleep(10);
      }
      relayB.heal();
      assertTrue(verifier.endpointStatus().await().get(1).available(), "one miss is not enough");
      AtomicInteger steps = new AtomicInteger();
      int[] failedOver = // the first session goes to A (no sessions anywhere: rotation from A)
          stream(
                  verifier,
                  3,
                  SamplingParams.GREEDY,
                  () -> {
                    if (steps.incrementAndGet() == 2) {
                      relayA.kill();
                    }
                  })
              .get(60, TimeUnit.SECONDS);
      assertArrayEquals(
          TestModels.decode(verifierModel, prompt(3), SamplingParams.GREEDY, MAX_TOKENS),
          failedOver);
      assertEquals(0, serverA.awaitNoSessions());
      assertEquals(0, serverB.awaitNoSessions());
    }
  }

  @Test
  void withEveryServerDeadEveryStreamFailsUnavailableAndNoneHangs() throws Exception {
    startServers();
    CountDownLatch started = new CountDownLatch(STREAMS);
    CompletableFuture<Void> killed = new CompletableFuture<>();
    try (GrpcVerifier verifier = client(Duration.ofSeconds(30), 2)) {
      List<CompletableFuture<int[]>> runs = new ArrayList<>();
      for (int s = 0; s < STREAMS; s++) {
        AtomicInteger steps = new AtomicInteger();
        runs.add(
            gatedStream(
                verifier,
                s,
                SamplingParams.GREEDY,
                () -> {
                  if (steps.incrementAndGet() == 1) {
                    started.countDown();
                    return killed; // each stream waits after its first token until the kill
                  }
                  return CompletableFuture.completedFuture(null);
                }));
      }
      assertTrue(started.await(60, TimeUnit.SECONDS), "every stream started");
      relayA.kill();
      relayB.kill();
      killed.complete(null);
      for (int s = 0; s < STREAMS; s++) {
        CompletableFuture<int[]> run = runs.get(s);
        ExecutionException failure =
            assertThrows(ExecutionException.class, () -> run.get(60, TimeUnit.SECONDS));
        VerifierException e =
            assertInstanceOf(VerifierException.class, failure.getCause(), "stream " + s);
        assertEquals(VerifierException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
      }
      assertEquals(0, serverA.awaitNoSessions());
      assertEquals(0, serverB.awaitNoSessions());
    }
  }

  @Test
  void aStalledServerIsLeftAfterTheCallTimeoutAndTheStreamContinuesExactly() throws Exception {
    startServers();
    AtomicInteger steps = new AtomicInteger();
    try (GrpcVerifier verifier = client(Duration.ofMillis(300), 2)) {
      // Both streams open on different servers (least outstanding); A stalls after step 3.
      List<CompletableFuture<int[]>> runs = new ArrayList<>();
      for (int s = 0; s < 2; s++) {
        runs.add(
            stream(
                verifier,
                s,
                SamplingParams.GREEDY,
                () -> {
                  if (steps.incrementAndGet() == 3) {
                    relayA.stall();
                  }
                }));
      }
      for (int s = 0; s < 2; s++) {
        int[] alone =
            TestModels.decode(verifierModel, prompt(s), SamplingParams.GREEDY, MAX_TOKENS);
        assertArrayEquals(alone, runs.get(s).get(60, TimeUnit.SECONDS), "stream " + s);
      }
      relayA.heal();
      assertEquals(0, serverA.awaitNoSessions()); // the stalled session was reset, then freed
      assertEquals(0, serverB.awaitNoSessions());
    }
  }

  @Test
  void withBothServersStalledTheCallTimeoutEndsTheStreamUnavailable() throws Exception {
    startServers();
    try (GrpcVerifier verifier = client(Duration.ofMillis(200), 3)) {
      relayA.stall();
      relayB.stall();
      CompletableFuture<int[]> run = stream(verifier, 0, SamplingParams.GREEDY, () -> {});
      ExecutionException failure =
          assertThrows(ExecutionException.class, () -> run.get(60, TimeUnit.SECONDS));
      VerifierException e = assertInstanceOf(VerifierException.class, failure.getCause());
      assertEquals(VerifierException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
      assertTrue(e.getMessage().contains("within 200 ms"), e.getMessage());
      relayA.heal();
      relayB.heal();
      assertEquals(0, serverA.awaitNoSessions());
      assertEquals(0, serverB.awaitNoSessions());
    }
  }

  /**
   * A stream the client asked for while the server was stalled arrives after its call timed out: it
   * must be cancelled unused, not open a session nobody will close.
   */
  @Test
  void aStreamThatArrivesAfterItsCallTimedOutOpensNoSession() throws Exception {
    startServers();
    GrpcVerifierOptions options =
        GrpcVerifierOptions.of("tiny", List.of(relayA.endpoint()))
            .withCallTimeout(Duration.ofSeconds(1))
            .withMaxFailovers(0);
    try (GrpcVerifier verifier = new GrpcVerifier(vertx, options)) {
      relayA.stall(); // the connection is accepted, the stream never becomes ready
      CompletableFuture<VerifierSession> late =
          verifier.open(prompt(0), SamplingParams.GREEDY, 64).toCompletableFuture();
      ExecutionException failure =
          assertThrows(ExecutionException.class, () -> late.get(60, TimeUnit.SECONDS));
      assertTrue(failure.getCause().getMessage().contains("within 1000 ms"), failure.getMessage());
      relayA.heal(); // the timed-out stream becomes ready now, ahead of the next one
      VerifierSession next =
          verifier
              .open(prompt(1), SamplingParams.GREEDY, 64)
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
      next.close();
      assertEquals(0, serverA.awaitNoSessions());
    }
  }
}
