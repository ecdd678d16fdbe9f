package dev.tandem.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.router.boot.TandemRouter;
import dev.tandem.router.config.FileConfigSource;
import dev.tandem.router.metrics.RouterMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both simulations run for a few seconds against an embedded router (the embedded default on the
 * fixture models), so that they cannot rot: Gatling's exit code must be 0, which needs every
 * request to succeed (the error rate must stay under 0.001 %). The latency SLAs are set out of
 * reach of a busy machine: this is a smoke run, the figures come from full-length runs.
 */
class SimulationSmokeTest {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final Map<String, String> SHORT_RUN =
      Map.of(
          "tandem.rate", "2",
          "tandem.duration", "3",
          "tandem.maxTokens", "16",
          "tandem.sla.ttftP99Ms", "600000",
          "tandem.sla.itlP99Ms", "600000",
          "tandem.sla.maxErrorPercent", "0.001", // "less than": any failed request fails the run
          "tandem.sla.minGoodputPercent", "0");

  static Vertx vertx;
  static TandemRouter router;
  @TempDir static Path results;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    router =
        TandemRouter.start(
            vertx,
            new FileConfigSource(
                vertx,
                HOME,
                Optional.empty(),
                new JsonObject().put("server", new JsonObject().put("port", 0))),
            RouterMetrics.enabled(RouterMetrics.newRegistry()),
            line -> {});
    SHORT_RUN.forEach(System::setProperty);
    System.setProperty("tandem.target", "http://127.0.0.1:" + router.port());
  }

  @AfterAll
  static void stop() {
    SHORT_RUN.keySet().forEach(System::clearProperty);
    System.clearProperty("tandem.target");
    router.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  static int run(Class<?> simulation) {
    return io.gatling.app.Gatling$.MODULE$.fromArgs(
        new String[] {
          "--simulation", simulation.getName(),
          "--results-folder", results.toString(),
          "--no-reports"
        });
  }

  @Test
  void sseSimulationRunsCleanly() {
    assertEquals(0, run(SseSimulation.class), "Gatling's exit code (2: an assertion failed)");
  }

  @Test
  void grpcSimulationRunsCleanly() {
    assertEquals(0, run(GrpcSimulation.class), "Gatling's exit code (2: an assertion failed)");
  }
}
