package dev.tandem.router.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.Eventually;
import dev.tandem.router.boot.TandemRouter;
import dev.tandem.router.config.FileConfigSource;
import dev.tandem.router.connections.ServingVertx;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.verifier.server.VerifierServer;
import dev.tandem.verifier.server.VerifierServerOptions;
import dev.tandem.verifier.tls.ServerTlsFiles;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Router → verifier-server links over mutual TLS, and a live swap of a tier's endpoint list under
 * load: no request fails, new sessions go to the new server, the old one can go away once drained.
 */
class VerifierLinkTest {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final Path VERIFIER = HOME.resolve("fixtures/models/tandem-verifier");

  @TempDir Path dir;
  Vertx vertx;
  VerifierServer a;
  VerifierServer b;
  int portA;
  int portB;
  TandemRouter router;
  Path file;
  TestCertificates.Issued ca;
  TestCertificates.Issued routerCert;

  @BeforeEach
  void start() throws Exception {
    ca = TestCertificates.authority(dir, "ca");
    TestCertificates.Issued serverCert = TestCertificates.leaf(dir, "verifier", ca, -1, 30);
    routerCert = TestCertificates.leaf(dir, "router", ca, -1, 30);
    vertx = ServingVertx.create();
    VerifierServerOptions options =
        VerifierServerOptions.DEFAULTS
            .withPort(0)
            .withTls(
                new ServerTlsFiles(
                    serverCert.certFile(), serverCert.keyFile(), Optional.of(ca.certFile())));
    a = VerifierServer.loading(VERIFIER, options);
    b = VerifierServer.loading(VERIFIER, options);
    portA = a.start(vertx).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    portB = b.start(vertx).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    file = dir.resolve("tandem.yaml");
    Files.writeString(file, config(portA));
    router =
        TandemRouter.start(
            vertx,
            new FileConfigSource(
                vertx,
                HOME,
                Optional.of(file),
                new JsonObject().put("server", new JsonObject().put("port", 0))),
            RouterMetrics.enabled(RouterMetrics.newRegistry()),
            line -> {});
  }

  @AfterEach
  void stop() {
    router.close();
    if (a != null) {
      a.close().toCompletionStage().toCompletableFuture().join();
    }
    b.close().toCompletionStage().toCompletableFuture().join();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  String config(int port) {
    return "reload: {watch: false}\n"
        // every request here must reach a verifier server: no response cache
        + "cache: {exact: {enabled: false}}\n"
        + "default_tier: remote\n"
        + "tiers:\n"
        + "  - name: remote\n"
        + "    verifier: grpc\n"
        + "    model: fixtures/models/tandem-verifier\n"
        // Checks every 10 s with a 10 s timeout: a busy test machine is not a dead server.
        + "    health_check_interval_ms: 10000\n"
        + "    endpoints: ['127.0.0.1:"
        + port
        + "']\n"
        + "    tls: {ca: "
        + ca.certFile()
        + ", cert: "
        + routerCert.certFile()
        + ", key: "
        + routerCert.keyFile()
        + "}\n";
  }

  @Test
  void swappingTheEndpointListUnderLoadFailsNoRequest() throws Exception {
    WebClient http = WebClient.create(vertx);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger done = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Void>> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      CompletableFuture<Void> finished = new CompletableFuture<>();
      clients.add(finished);
      loop(http, running, done, failures, finished);
    }
    Eventually.until(() -> done.get() >= 8, Duration.ofSeconds(60), "requests through server A");
    Files.writeString(file, config(portB));
    JsonObject outcome =
        router.reload("test").toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertEquals("applied", outcome.getString("result"), outcome.encode());
    int atSwap = done.get();
    Eventually.until(
        () -> done.get() >= atSwap + 8, Duration.ofSeconds(60), "requests after the swap");
    // Streams that started on A have ended by now (each is 16 tokens); A may go.
    a.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    a = null;
    int afterA = done.get();
    Eventually.until(
        () -> done.get() >= afterA + 8, Duration.ofSeconds(60), "requests with A gone");
    running.set(false);
    CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertTrue(failures.isEmpty(), "A=" + portA + " B=" + portB + ": " + failures);
    // A stream's end can reach its client before the router's Close reaches B: wait for it.
    Eventually.until(
        () -> b.engine().openSessions() == 0, Duration.ofSeconds(10), "B's sessions closed");
    String metrics =
        http.get(router.port(), "127.0.0.1", "/metrics")
            .send()
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS)
            .bodyAsString();
    for (int port : List.of(portA, portB)) {
      assertTrue(
          metrics.contains("endpoint=\"127.0.0.1:" + port + "\""),
          "verify-call latency labelled with the endpoint 127.0.0.1:" + port);
    }
  }

  private void loop(
      WebClient http,
      AtomicBoolean running,
      AtomicInteger done,
      ConcurrentLinkedQueue<String> failures,
      CompletableFuture<Void> finished) {
    if (!running.get()) {
      finished.complete(null);
      return;
    }
    http.post(router.port(), "127.0.0.1", "/v1/completions")
        .sendJsonObject(new JsonObject().put("prompt", "def f(x):").put("max_tokens", 16))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                failures.add(ar.cause().toString());
              } else if (ar.result().statusCode() != 200) {
                failures.add(ar.result().statusCode() + " " + ar.result().bodyAsString());
              }
              done.incrementAndGet();
              loop(http, running, done, failures, finished);
            });
  }
}
