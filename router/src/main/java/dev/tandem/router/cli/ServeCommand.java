package dev.tandem.router.cli;

import dev.tandem.router.boot.TandemRouter;
import dev.tandem.router.config.ConfigSource;
import dev.tandem.router.config.FileConfigSource;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.connections.NetTransports;
import dev.tandem.router.metrics.RouterMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

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
    JsonObject overrides = overrides();
    TandemConfig.Server listener;
    NetTransports.Choice transport;
    try {
      // Read before Vert.x is built: its transport (server.transport) is fixed then.
      listener =
          FileConfigSource.readOnce(TandemHome.path(), Optional.ofNullable(config), overrides)
              .server();
      transport = NetTransports.choose(listener);
    } catch (IllegalArgumentException e) {
      System.err.println("tandem serve: bad configuration: " + rootMessage(e));
      return 2;
    }
    PrometheusMeterRegistry registry = RouterMetrics.newRegistry();
    Vertx vertx = vertxWithMetrics(registry, transport);
    ConfigSource source =
        new FileConfigSource(vertx, TandemHome.path(), Optional.ofNullable(config), overrides);
    TandemRouter router;
    try {
      router =
          TandemRouter.start(
              vertx,
              source,
              RouterMetrics.enabled(registry),
              line -> System.err.println("tandem: " + line));
    } catch (IllegalArgumentException e) {
      System.err.println("tandem serve: bad configuration: " + rootMessage(e));
      vertx.close();
      return 2;
    } catch (IOException | RuntimeException e) { // a model that does not load, a port in use
      System.err.println(
          "tandem serve: cannot start on "
              + listener.host()
              + ":"
              + listener.port()
              + ": "
              + rootMessage(e));
      vertx.close();
      return 1;
    }
    reloadOnSighup(router);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  router.close();
                  vertx.close().toCompletionStage().toCompletableFuture().join();
                  stopped.countDown();
                }));
    TandemConfig cfg = router.state().config();
    String scheme = cfg.tls().isPresent() ? "https" : "http";
    String address = cfg.server().host() + ":" + router.port();
    System.out.println(
        "tandem: serving gRPC and HTTP on "
            + address
            + (cfg.tls().isPresent() ? " with TLS" : "")
            + " over "
            + transport.description()
            + " (models: "
            + router.engine().modelIds()
            + ")");
    System.out.println("  try:  ./tandem generate --target " + address + " \"def fibonacci(n):\"");
    System.out.println(
        "  or:   curl -N "
            + scheme
            + "://"
            + address
            + "/v1/completions -H 'Content-Type: application/json' "
            + "-d '{\"prompt\":\"def fibonacci(n):\",\"max_tokens\":48,\"stream\":true}'");
    System.out.println(
        "  ops:  "
            + scheme
            + "://"
            + address
            + "/metrics, /health/ready, /admin/config, POST /admin/reload (or kill -HUP "
            + ProcessHandle.current().pid()
            + ")");
    stopped.await();
    return 0;
  }

  /** {@code --host} and {@code --port} as a config mapping merged over the file. */
  private JsonObject overrides() {
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
    return overrides;
  }

  /**
   * A Vert.x on {@code transport} whose own HTTP, pool and JVM metrics go to {@code registry}
   * (vertx_*, jvm_*).
   */
  static Vertx vertxWithMetrics(PrometheusMeterRegistry registry, NetTransports.Choice transport) {
    return NetTransports.vertx(
        transport,
        new VertxOptions()
            .setMetricsOptions(
                new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)),
        Optional.of(new MicrometerMetricsFactory(registry)));
  }

  /** SIGHUP reloads the config file, as it does for most daemons. */
  private static void reloadOnSighup(TandemRouter router) {
    try {
      Signal.handle(new Signal("HUP"), signal -> router.reload("SIGHUP"));
    } catch (IllegalArgumentException e) {
      System.err.println("tandem: SIGHUP cannot be handled here (" + e.getMessage() + ")");
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
