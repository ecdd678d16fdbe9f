package dev.tandem.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Model;
import dev.tandem.model.ModelRuntime;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.VerifierSession;
import dev.tandem.verifier.client.GrpcVerifier;
import dev.tandem.verifier.client.GrpcVerifierOptions;
import dev.tandem.verifier.engine.EngineOptions;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Speculative decoding through a real verifier server and the gRPC backend: exact greedy output,
 * batched concurrent sessions, load balancing and health checks.
 */
class GrpcVerifierTest {

  private static Vertx vertx;
  private static ModelRuntime verifierRuntime;
  private static ModelRuntime draftRuntime;
  private static Model verifierModel;
  private static Model draftModel;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    verifierRuntime = new ModelRuntime(1);
    draftRuntime = new ModelRuntime(1);
    verifierModel = TestModels.load(verifierRuntime, TestModels.VERIFIER);
    draftModel = TestModels.load(draftRuntime, TestModels.DRAFT);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
    verifierModel.close();
    draftModel.close();
    verifierRuntime.close();
    draftRuntime.close();
  }

  /**
   * A client whose health checks run every 10 s, each with a 10 s timeout: on a busy test machine a
   * slow answer must not take a live server out of rotation.
   */
  private static GrpcVerifier client(String... endpoints) {
    return client(Duration.ofSeconds(10), endpoints);
  }

  private static GrpcVerifier client(Duration healthInterval, String... endpoints) {
    return new GrpcVerifier(
        vertx,
        GrpcVerifierOptions.of("tiny", List.of(endpoints)).withHealthInterval(healthInterval));
  }

  @Test
  void greedySpeculationThroughTheServerEqualsTheVerifiersOwnGreedyOutput() throws Exception {
    try (ServerFixture server = new ServerFixture(vertx, verifierModel, EngineOptions.DEFAULTS);
        GrpcVerifier verifier = client(server.endpoint())) {
      for (int seed = 0; seed < 3; seed++) {
        int[] prompt = TestModels.prompt(seed, 4 + seed);
        int[] expected = TestModels.decode(verifierModel, prompt, SamplingParams.GREEDY, 40);
        for (Model drafter : List.of(verifierModel, draftModel)) {
          int[] actual =
              Speculate.generate(
                      verifier,
                      new ModelDrafter(drafter, 128),
                      prompt,
                      SamplingParams.GREEDY,
                      4,
                      40)
                  .toCompletableFuture()
                  .join();
          assertArrayEquals(expected, actual, "prompt seed " + seed + " drafter " + drafter);
        }
      }
      assertEquals(0, server.awaitNoSessions());
    }
  }

  @Test
  void thirtyTwoConcurrentSessionsThroughTheBatchedServerGiveTheirAloneOutputs() throws Exception {
    int sessions = 32;
    try (ServerFixture server = new ServerFixture(vertx, verifierModel, EngineOptions.DEFAULTS);
        GrpcVerifier verifier = client(server.endpoint())) {
      List<CompletableFuture<int[]>> runs = new ArrayList<>();
      for (int s = 0; s < sessions; s++) {
        runs.add(
            Speculate.generate(
                    verifier,
                    new ModelDrafter(draftModel, 128),
                    TestModels.prompt(100 + s, 3 + s % 5),
                    SamplingParams.GREEDY,
                    1 + s % 4,
                    20)
                .toCompletableFuture());
      }
      for (int s = 0; s < sessions; s++) {
        int[] alone =
            TestModels.decode(
                verifierModel, TestModels.prompt(100 + s, 3 + s % 5), SamplingParams.GREEDY, 20);
        assertArrayEquals(alone, runs.get(s).join(), "session " + s);
      }
      assertEquals(0, server.awaitNoSessions());
      assertTrue(
          server.server.engine().batchStats().meanItemsPerBatch() > 1,
          "sessions were batched: " + server.server.engine().batchStats());
    }
  }

  @Test
  void newSessionsGoToTheLeastLoadedHealthyServer() throws Exception {
    try (ServerFixture a = new ServerFixture(vertx, verifierModel, EngineOptions.DEFAULTS);
        ServerFixture b = new ServerFixture(vertx, verifierModel, EngineOptions.DEFAULTS);
        // Checks every 3 s (3 s timeout): a dead server (connection refused) is seen at the next
        // one.
        GrpcVerifier verifier = client(Duration.ofSeconds(3), a.endpoint(), b.endpoint())) {
      List<VerifierSession> open = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        open.add(
            verifier
                .open(TestModels.prompt(i, 4), SamplingParams.GREEDY, 32)
                .toCompletableFuture()
                .join());
      }
      assertEquals(2, a.openSessions());
      assertEquals(2, b.openSessions());
      assertEquals(
          Map.of(a.endpoint(), 2, b.endpoint(), 2), verifier.outstandingSessions().await());
      open.forEach(VerifierSession::close);
      assertEquals(0, a.awaitNoSessions());
      assertEquals(0, b.awaitNoSessions());
      assertEquals(
          Map.of(a.endpoint(), 0, b.endpoint(), 0), verifier.outstandingSessions().await());

      // b goes away: once its health check fails, every new session lands on a.
      b.close();
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (verifier.healthyEndpoints().await().size() != 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(List.of(a.endpoint()), verifier.healthyEndpoints().await());
      for (int i = 0; i < 3; i++) {
        verifier
            .open(TestModels.prompt(i, 4), SamplingParams.GREEDY, 32)
            .toCompletableFuture()
            .join()
            .close();
      }
      assertEquals(0, a.awaitNoSessions());
    }
  }
}
