package dev.tandem.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tandem.model.Model;
import dev.tandem.model.ModelRuntime;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.verifier.client.GrpcVerifier;
import dev.tandem.verifier.client.GrpcVerifierOptions;
import dev.tandem.verifier.engine.EngineOptions;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Given the trained fixture models (vocab 2048; skipped until both exist), speculative decoding
 * with the fixture drafter through the in-process and the gRPC backends is the fixture verifier's
 * own greedy output.
 */
class FixtureModelsTest {

  // Overridable to try the test on another model of the same vocabulary.
  private static final Path VERIFIER =
      Path.of(System.getProperty("tandem.fixture.verifier", "../fixtures/models/tandem-verifier"));
  private static final Path DRAFT = Path.of("../fixtures/models/tandem-draft");

  @Test
  void greedySpeculationWithTheFixtureModelsIsTheVerifiersGreedyOutput() throws Exception {
    assumeTrue(
        Files.exists(VERIFIER.resolve("config.json")) && Files.exists(DRAFT.resolve("config.json")),
        "fixture models not trained yet");
    Vertx vertx = Vertx.vertx();
    try (ModelRuntime runtime = new ModelRuntime(1);
        ModelRuntime draftRuntime = new ModelRuntime(1);
        Model verifierModel = runtime.load(VERIFIER, dev.tandem.model.ModelOptions.DEFAULT);
        Model draftModel = draftRuntime.load(DRAFT, dev.tandem.model.ModelOptions.DEFAULT);
        InProcessVerifier inProcess =
            new InProcessVerifier("tandem-verifier", verifierModel, EngineOptions.DEFAULTS);
        ServerFixture server = new ServerFixture(vertx, verifierModel, EngineOptions.DEFAULTS);
        GrpcVerifier remote =
            new GrpcVerifier(vertx, GrpcVerifierOptions.of("", List.of(server.endpoint())))) {
      for (int seed = 0; seed < 3; seed++) {
        int[] prompt = new int[8];
        for (int i = 0; i < prompt.length; i++) {
          prompt[i] = 1 + Math.floorMod(seed * 7919 + i * 104_729, 2047);
        }
        int[] expected = TestModels.decode(verifierModel, prompt, SamplingParams.GREEDY, 48);
        for (dev.tandem.speccore.Verifier verifier : List.of(inProcess, remote)) {
          int[] actual =
              Speculate.generate(
                      verifier,
                      new ModelDrafter(draftModel, 128),
                      prompt,
                      SamplingParams.GREEDY,
                      4,
                      48)
                  .toCompletableFuture()
                  .join();
          assertArrayEquals(expected, actual, verifier.name() + " prompt seed " + seed);
        }
      }
      assertEquals(0, server.awaitNoSessions());
      assertEquals(0, inProcess.engine().openSessions());
    } finally {
      vertx.close().await();
    }
  }
}
