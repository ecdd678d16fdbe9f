package dev.tandem.router.cli;

import dev.tandem.model.Backend;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.Quantization;
import dev.tandem.router.config.ConfigReader;
import dev.tandem.router.config.TandemConfig.NetTransport;
import dev.tandem.router.connections.NetTransports;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.verifier.engine.EngineOptions;
import dev.tandem.verifier.server.VerifierServer;
import dev.tandem.verifier.server.VerifierServerOptions;
import dev.tandem.verifier.tls.ServerTlsFiles;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem verifier-server}: hosts a large model behind {@code tandem.v1.Verifier}. The one
 * launcher of the verifier server. Listens on loopback unless {@code --host} says otherwise.
 */
@Command(
    name = "verifier-server",
    description = "Host a verifier model behind tandem.v1.Verifier (one session = one KV cache).")
final class VerifierServerCommand implements Callable<Integer> {

  @Option(
      names = "--model",
      description = "Model directory (default: the bundled fixtures/models/tandem-verifier)")
  Path model;

  @Option(
      names = "--host",
      description = "Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)")
  String host = "127.0.0.1";

  @Option(names = "--port", description = "Port (default 50061; 0 = any free port)")
  int port = 50061;

  @Option(names = "--max-sessions", description = "Most concurrent sessions (default 64)")
  int maxSessions = EngineOptions.DEFAULTS.maxSessions();

  @Option(names = "--max-kv-tokens", description = "Total KV positions over all sessions")
  long maxKvTokens = EngineOptions.DEFAULTS.maxKvTokens();

  @Option(
      names = "--idle-timeout-ms",
      description = "A session idle this long is closed (default 60000)")
  long idleTimeoutMs = EngineOptions.DEFAULTS.idleTimeout().toMillis();

  @Option(
      names = "--max-batch-rows",
      description = "Most rows (scored tokens) in one batched forward (default 256)")
  int maxBatchRows = EngineOptions.DEFAULTS.maxBatchRows();

  @Option(
      names = "--max-batch-wait-us",
      description = "How long a batch waits for more sessions' calls (default 1000)")
  long maxBatchWaitMicros = EngineOptions.DEFAULTS.maxBatchWait().toNanos() / 1000;

  @Option(
      names = "--model-threads",
      description =
          "Model threads: batched forwards over different sessions that run at once (default 1)")
  int modelThreads = VerifierServerOptions.DEFAULTS.modelThreads();

  @Option(names = "--backend", description = "auto, vector or nd4j (default auto)")
  String backend = "auto";

  @Option(
      names = "--quantize",
      description =
          "none (default), q8_0 or q4: quantize the model's weights at load (a directory written"
              + " by tandem quantize is already quantized)")
  String quantize = "none";

  @Option(
      names = "--transport",
      description =
          "auto (default: Linux's native epoll where it loads, Java NIO elsewhere), epoll or nio")
  String transport = "auto";

  @Option(names = "--tls-cert", description = "PEM certificate chain: serve TLS (with --tls-key)")
  Path tlsCert;

  @Option(names = "--tls-key", description = "PEM private key of --tls-cert")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      description = "PEM CA: clients (routers) may present certificates it signed (mTLS)")
  Path tlsClientCa;

  @Override
  public Integer call() throws Exception {
    Path dir = model != null ? model : TandemHome.path().resolve("fixtures/models/tandem-verifier");
    VerifierServerOptions options;
    ModelOptions modelOptions;
    NetTransports.Choice netTransport;
    try {
      netTransport =
          NetTransports.choose(
              ConfigReader.oneOf("--transport", NetTransport.class, transport), "--transport");
      options =
          VerifierServerOptions.DEFAULTS
              .withHost(host)
              .withPort(port)
              .withModelThreads(modelThreads)
              .withEngine(
                  EngineOptions.DEFAULTS
                      .withMaxSessions(maxSessions)
                      .withMaxKvTokens(maxKvTokens)
                      .withIdleTimeout(Duration.ofMillis(idleTimeoutMs))
                      .withMaxBatchRows(maxBatchRows)
                      .withMaxBatchWait(Duration.ofNanos(1000 * maxBatchWaitMicros)));
      modelOptions =
          ModelOptions.DEFAULT
              .withBackend(Backend.parse(backend))
              .withQuantize(Quantization.parse(quantize, "--quantize"));
      if (tlsCert != null || tlsKey != null || tlsClientCa != null) {
        if (tlsCert == null || tlsKey == null) {
          throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        for (Path file : java.util.Arrays.asList(tlsCert, tlsKey, tlsClientCa)) {
          if (file != null && !java.nio.file.Files.isReadable(file)) {
            throw new IllegalArgumentException("no readable file " + file);
          }
        }
        options =
            options.withTls(
                new ServerTlsFiles(tlsCert, tlsKey, java.util.Optional.ofNullable(tlsClientCa)));
      }
    } catch (IllegalArgumentException e) {
      System.err.println("tandem verifier-server: " + e.getMessage());
      return 2;
    }
    System.err.println("tandem: loading verifier model " + dir + " ...");
    PrometheusMeterRegistry registry = RouterMetrics.newRegistry();
    Vertx vertx = ServeCommand.vertxWithMetrics(registry, netTransport);
    VerifierServer server =
        VerifierServer.loading(dir, modelOptions, options).withMetrics(registry);
    int bound;
    try {
      bound = server.start(vertx).toCompletionStage().toCompletableFuture().join();
    } catch (RuntimeException e) {
      System.err.println("tandem verifier-server: " + ServeCommand.rootMessage(e));
      vertx.close();
      return 1;
    }
    System.out.println(
        "tandem: verifier server for "
            + dir.getFileName()
            + " on "
            + host
            + ":"
            + bound
            + (options.tls().isPresent() ? " with TLS" : "")
            + " over "
            + netTransport.description()
            + " (/metrics, /health/ready)");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close().toCompletionStage().toCompletableFuture().join();
                  vertx.close().toCompletionStage().toCompletableFuture().join();
                  stopped.countDown();
                }));
    stopped.await();
    return 0;
  }
}
