package dev.tandem.router;

import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.config.TandemConfig.Connections;
import dev.tandem.router.connections.ConnectionGuard;
import dev.tandem.router.connections.ConnectionTimers;
import dev.tandem.router.engine.GenerationEngine;
import dev.tandem.router.engine.StreamDeadlines;
import dev.tandem.router.grpc.GrpcGenerateEndpoint;
import dev.tandem.router.http.AdminEndpoint;
import dev.tandem.router.http.HealthEndpoint;
import dev.tandem.router.http.OpenAiEndpoint;
import dev.tandem.router.metrics.RouterMetrics;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The Vert.x HTTP server that serves both APIs on one port: requests with a gRPC content type go to
 * the gRPC server ({@code tandem.v1.Generation}), everything else to the HTTP router
 * (OpenAI-compatible API, health, metrics, admin). Plaintext or TLS (see {@link ServerTls}).
 *
 * <p>One server instance per core, each deployed on an event loop of its own and all on the same
 * port: a single instance put every connection on one event loop, which then ran the whole router's
 * protocol work while the other loops idled (added latency per chunk at hundreds of streams, and
 * one abusive connection slowed every other stream). Per-core instances are what nginx's {@code
 * worker_processes auto} and Envoy's one worker per core do.
 *
 * <p>Threading: built and started from any thread; handlers run on the instances' event loops,
 * several at once (the endpoints, the connection guard and the deadlines are shared by all).
 */
public final class RouterServer {

  private static final Logger LOG = Logger.getLogger(RouterServer.class.getName());

  private final Vertx vertx;
  private final TandemConfig startConfig;
  private final Supplier<RouterState> state;
  private final Optional<AdminEndpoint.Actions> admin;
  private final RouterMetrics metrics;
  private final ConnectionTimers timers;
  private final int instances;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final List<Context> contexts = new CopyOnWriteArrayList<>();
  private volatile String deployment;
  private ConnectionGuard guard;

  /**
   * @param startConfig what the listener is built from (host, port, TLS on or off, HTTP/2 limits):
   *     a reload changing these is reported, not applied
   * @param state what each new request runs against
   * @param admin reload and config inspection, if this router can reload
   * @param metrics served at {@code /metrics} when enabled
   */
  public RouterServer(
      Vertx vertx,
      TandemConfig startConfig,
      Supplier<RouterState> state,
      Optional<AdminEndpoint.Actions> admin,
      RouterMetrics metrics) {
    this(vertx, startConfig, state, admin, metrics, ConnectionTimers.NETTY);
  }

  /**
   * As above, with the connection limits' timers scheduled by {@code timers} (tests move a clock of
   * their own instead of waiting).
   */
  public RouterServer(
      Vertx vertx,
      TandemConfig startConfig,
      Supplier<RouterState> state,
      Optional<AdminEndpoint.Actions> admin,
      RouterMetrics metrics,
      ConnectionTimers timers) {
    this.vertx = vertx;
    this.startConfig = startConfig;
    this.state = state;
    this.admin = admin;
    this.metrics = metrics;
    this.timers = timers;
    this.instances = Runtime.getRuntime().availableProcessors();
  }

  /** A server over one fixed engine: no reload, no metrics (embedding and benchmarks). */
  public RouterServer(Vertx vertx, TandemConfig config, GenerationEngine engine) {
    this(
        vertx,
        config,
        fixed(RouterState.of(config, engine, 1, Instant.now(), Map.of())),
        Optional.empty(),
        RouterMetrics.disabled());
  }

  private static Supplier<RouterState> fixed(RouterState state) {
    return () -> state;
  }

  /**
   * Starts listening on one server instance per core, each on an event loop of its own (the port is
   * shared; Vert.x spreads accepted connections over the instances). Completes with the bound port
   * (useful when the config says 0).
   */
  public Future<Integer> start() {
    // Callers' deadlines are kept by one tick for all streams, not a Vert.x timer per stream.
    StreamDeadlines deadlines = new StreamDeadlines(vertx);
    GrpcServer grpc =
        GrpcServer.server(
            vertx,
            new GrpcServerOptions()
                .setScheduleDeadlineAutomatically(false)
                .setMaxMessageSize(startConfig.limits().maxBodyBytes()));
    new GrpcGenerateEndpoint(state, deadlines).bind(grpc);

    Router http = Router.router(vertx);
    new OpenAiEndpoint(state, deadlines).mount(http);
    new HealthEndpoint(state).mount(http);
    http.get("/metrics").handler(metrics::serve);
    admin.ifPresent(actions -> new AdminEndpoint(state, actions).mount(http));

    HttpServerOptions options = listenerOptions(startConfig);
    startConfig.tls().ifPresent(tls -> ServerTls.configure(options, tls));
    guard = new ConnectionGuard(startConfig.server().connections(), timers);
    Handler<HttpServerRequest> requests =
        request -> {
          guard.requestArrived(request);
          String type = request.getHeader("content-type");
          if (type != null && type.startsWith("application/grpc")) {
            grpc.handle(request);
          } else {
            http.handle(request);
          }
        };
    if (options.getPort() == 0) {
      options.setPort(-1); // any free port, shared by the instances (Vert.x shares 0 by the sign)
    }
    AtomicInteger port = new AtomicInteger();
    Supplier<Deployable> instance =
        () ->
            context -> {
              HttpServer server =
                  vertx
                      .createHttpServer(options)
                      .connectionHandler(
                          connection -> {
                            guard.accept(connection);
                            consolidateFlushes(connection);
                          })
                      .requestHandler(requests);
              servers.add(server);
              contexts.add(context);
              return server.listen().onSuccess(listening -> port.set(listening.actualPort()));
            };
    // each instance of a deployment runs on an event loop of its own
    return vertx
        .deployVerticle(instance, new DeploymentOptions().setInstances(instances))
        .map(
            id -> {
              deployment = id;
              return port.get();
            });
  }

  /**
   * Host, port, cleartext HTTP/2 and what a connection may do: header sizes (HTTP/1.x and the
   * HTTP/2 header list), idle timeout, HTTP/2 streams per connection and the rapid-reset limit.
   */
  static HttpServerOptions listenerOptions(TandemConfig config) {
    Connections c = config.server().connections();
    return new HttpServerOptions()
        .setHost(config.server().host())
        .setPort(config.server().port())
        .setMaxHeaderSize(c.maxHeaderBytes())
        .setMaxInitialLineLength(c.maxInitialLineBytes())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setIdleTimeout((int) c.idleTimeout().toMillis())
        .setHttp2ClearTextEnabled(config.server().h2c())
        .setHttp2RstFloodMaxRstFramePerWindow(c.http2MaxResetsPerWindow())
        .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.MILLISECONDS)
        .setHttp2RstFloodWindowDuration((int) c.http2ResetWindow().toMillis())
        .setInitialSettings(
            new Http2Settings()
                .setMaxConcurrentStreams(config.limits().maxConcurrentStreams())
                .setMaxHeaderListSize(c.maxHeaderBytes()));
  }

  /** The contexts the server instances run on, one per instance (for tests). */
  List<Context> instanceContexts() {
    return List.copyOf(contexts);
  }

  /** What the listener's connection limits have done so far (null before {@link #start}). */
  public ConnectionGuard connections() {
    return guard;
  }

  /**
   * Loads the certificates of {@code config} for new connections (existing ones keep theirs).
   * Nothing to do without TLS.
   */
  public Future<Void> updateTls(TandemConfig config) {
    if (servers.isEmpty() || config.tls().isEmpty()) {
      return Future.succeededFuture();
    }
    ServerSSLOptions ssl = ServerTls.sslOptions(config.tls().get());
    return Future.all(servers.stream().map(s -> s.updateSSLOptions(ssl, true)).toList())
        .map(
            changed -> {
              LOG.info("tls: certificates reloaded from " + config.tls().get().cert());
              return null;
            });
  }

  /**
   * One socket flush per event-loop turn instead of one per chunk. Vert.x flushes an HTTP/2
   * connection after every write made outside a read, and the chunks of many streams are written
   * from timer and verifier completions, never inside a read: each chunk paid for the HTTP/2 flow
   * controller's pass over the streams and one write system call (a third of the event loop's time
   * at 1,000 streams). The handler sits after the HTTP/2 handler, so it sees those flushes first
   * and lets the last of a turn through (at the latest after 256 of them, when a turn writes many).
   */
  private static void consolidateFlushes(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      base.channel()
          .pipeline()
          .addLast(
              new FlushConsolidationHandler(
                  FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
    }
  }

  /**
   * Stops listening and closes the connections (undeploying the instances closes their servers).
   */
  public Future<Void> close() {
    String id = deployment;
    return id == null ? Future.succeededFuture() : vertx.undeploy(id);
  }
}
