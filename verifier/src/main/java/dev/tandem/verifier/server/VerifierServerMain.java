package dev.tandem.verifier.server;

import dev.tandem.model.Backend;
import dev.tandem.model.ModelOptions;
import dev.tandem.verifier.engine.EngineOptions;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a verifier server from the command line:
 *
 * <pre>
 * VerifierServerMain --model DIR [--host 0.0.0.0] [--port 50061] [--max-sessions 64]
 *     [--max-kv-tokens 1048576] [--idle-timeout-ms 60000] [--max-batch-rows 256]
 *     [--max-batch-wait-us 1000] [--per-call-delay-ms 0] [--model-threads 1]
 *     [--backend auto|vector|nd4j]
 * </pre>
 */
public final class VerifierServerMain {

  private VerifierServerMain() {}

  public static void main(String[] args) {
    Path model = null;
    VerifierServerOptions options = VerifierServerOptions.DEFAULTS;
    EngineOptions engine = options.engine();
    ModelOptions modelOptions = ModelOptions.DEFAULT;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        usage("missing value for " + args[i]);
      }
      String value = args[i + 1];
      switch (args[i]) {
        case "--model" -> model = Path.of(value);
        case "--host" -> options = options.withHost(value);
        case "--port" -> options = options.withPort(Integer.parseInt(value));
        case "--max-sessions" -> engine = engine.withMaxSessions(Integer.parseInt(value));
        case "--max-kv-tokens" -> engine = engine.withMaxKvTokens(Long.parseLong(value));
        case "--idle-timeout-ms" ->
            engine = engine.withIdleTimeout(Duration.ofMillis(Long.parseLong(value)));
        case "--max-batch-rows" -> engine = engine.withMaxBatchRows(Integer.parseInt(value));
        case "--max-batch-wait-us" ->
            engine = engine.withMaxBatchWait(Duration.ofNanos(1000 * Long.parseLong(value)));
        case "--per-call-delay-ms" ->
            options = options.withPerCallDelay(Duration.ofMillis(Long.parseLong(value)));
        case "--model-threads" -> options = options.withModelThreads(Integer.parseInt(value));
        case "--backend" -> modelOptions = modelOptions.withBackend(Backend.parse(value));
        default -> usage("unknown option " + args[i]);
      }
    }
    if (model == null) {
      usage("--model DIR is required");
    }
    Vertx vertx = Vertx.vertx();
    VerifierServer server = VerifierServer.loading(model, modelOptions, options.withEngine(engine));
    int port;
    try {
      port = server.start(vertx).await();
    } catch (Exception e) {
      System.err.println("verifier server failed to start: " + e);
      vertx.close();
      System.exit(1);
      return;
    }
    System.out.println("verifier server listening on port " + port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close().await(5, TimeUnit.SECONDS);
                    vertx.close().await(5, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    System.err.println("verifier server did not stop cleanly: " + e);
                  } finally {
                    stopped.countDown();
                  }
                }));
    // The model's and Vert.x's threads may all be daemons: keep the JVM up until shutdown.
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println(
        "usage: VerifierServerMain --model DIR [--host H] [--port N] [--max-sessions N]"
            + " [--max-kv-tokens N] [--idle-timeout-ms N] [--max-batch-rows N]"
            + " [--max-batch-wait-us N] [--per-call-delay-ms N] [--model-threads N]"
            + " [--backend auto|vector|nd4j]");
    System.exit(2);
  }
}
