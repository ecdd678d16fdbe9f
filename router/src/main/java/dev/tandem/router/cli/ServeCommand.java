package dev.tandem.router.cli;

import dev.tandem.router.boot.TandemRouter;
import dev.tandem.router.config.ConfigLoader;
import dev.tandem.router.config.TandemConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem serve}: runs the router until interrupted. */
@Command(
    name = "serve",
    description = {
      "Run the router: gRPC (tandem.v1.Generation) and the OpenAI-compatible HTTP API on one port.",
      "With no --config it serves the bundled fixture models in-process (no GPU, no Redis)."
    })
final class ServeCommand implements Callable<Integer> {

  @Option(
      names = "--config",
      description = "YAML or JSON config file merged over the embedded default")
  Path config;

  @Option(names = "--host", description = "Address to listen on (default 127.0.0.1)")
  String host;

  @Option(names = "--port", description = "Port to listen on (default 8080; 0 = any free port)")
  Integer port;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    JsonObject overrides = new JsonObject();
    if (host != null || port != null) {
      JsonObject server = new JsonObject();
      if (host != null) {
        server.put("host", host);
      }
      if (port != null) {
        server.put("port", port);
      }
      overrides.put("server", server);
    }
    TandemConfig cfg;
    try {
      cfg =
          new ConfigLoader(vertx, TandemHome.path())
              .load(config, overrides)
              .toCompletionStage()
              .toCompletableFuture()
              .join();
    } catch (RuntimeException e) {
      System.err.println("tandem serve: bad configuration: " + rootMessage(e));
      vertx.close();
      return 2;
    }
    TandemRouter router =
        TandemRouter.start(vertx, cfg, line -> System.err.println("tandem: " + line));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  router.close();
                  vertx.close().toCompletionStage().toCompletableFuture().join();
                  stopped.countDown();
                }));
    String address = cfg.server().host() + ":" + router.port();
    System.out.println(
        "tandem: serving gRPC and HTTP on "
            + address
            + " (models: "
            + router.engine().modelIds()
            + ")");
    System.out.println("  try:  ./tandem generate --target " + address + " \"def fibonacci(n):\"");
    System.out.println(
        "  or:   curl -N http://"
            + address
            + "/v1/completions -H 'Content-Type: application/json' "
            + "-d '{\"prompt\":\"def fibonacci(n):\",\"max_tokens\":48,\"stream\":true}'");
    stopped.await();
    return 0;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
