package dev.tandem.verifier.server;

import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.proto.v1.VerifierGrpcService;
import dev.tandem.verifier.engine.ModelScoring;
import dev.tandem.verifier.engine.SessionEngine;
import dev.tandem.verifier.tls.Tls;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The verifier server: hosts one model behind {@code tandem.v1.Verifier/Session} (one stream = one
 * session = one KV cache; sessions batched by a {@link SessionEngine}), plus {@code GET /health} on
 * the same port (JSON: status, model, open and max sessions).
 *
 * <p>Threading: {@link #start} and {@link #close} from any thread; stream handlers run on event
 * loops; forwards on the model runtime's executor.
 */
public final class VerifierServer {

  private static final Logger LOG = Logger.getLogger(VerifierServer.class.getName());

  private final VerifierServerOptions options;
  private final Path modelDir; // null when the engine was given
  private final ModelOptions modelOptions;
  private SessionEngine engine;
  private ModelRuntime runtime; // owned when the server loaded the model
  private Model model;
  private HttpServer server;
  private PrometheusMeterRegistry metrics;
  private final Set<SessionStream> streams = ConcurrentHashMap.newKeySet();

  /**
   * A server over an existing engine; {@link #close} closes the engine's sessions, not its model.
   */
  public VerifierServer(SessionEngine engine, VerifierServerOptions options) {
    this.engine = engine;
    this.options = options;
    this.modelDir = null;
    this.modelOptions = null;
  }

  private VerifierServer(Path modelDir, ModelOptions modelOptions, VerifierServerOptions options) {
    this.modelDir = modelDir;
    this.modelOptions = modelOptions;
    this.options = options;
  }

  /**
   * A server that loads the Hugging Face model in {@code modelDir} when started (on its own model
   * runtime of {@link VerifierServerOptions#modelThreads} threads) and closes it on {@link #close}.
   * The model's id is the directory's name.
   */
  public static VerifierServer loading(Path modelDir, VerifierServerOptions options) {
    return loading(modelDir, ModelOptions.DEFAULT, options);
  }

  /** As {@link #loading(Path, VerifierServerOptions)} with the model's backend options. */
  public static VerifierServer loading(
      Path modelDir, ModelOptions modelOptions, VerifierServerOptions options) {
    return new VerifierServer(modelDir, modelOptions, options);
  }

  /** Loads the model if needed, then listens; completes with the bound port. */
  /**
   * Serves {@code GET /metrics} from {@code registry} (Prometheus text), with the server's session
   * gauges registered there. Call before {@link #start}.
   */
  public VerifierServer withMetrics(PrometheusMeterRegistry registry) {
    this.metrics = registry;
    return this;
  }

  public Future<Integer> start(Vertx vertx) {
    Future<SessionEngine> ready = engine != null ? Future.succeededFuture(engine) : load();
    return ready.compose(
        loaded -> {
          engine = loaded;
          return listen(vertx);
        });
  }

  /** The engine serving sessions (for {@link SessionEngine#openSessions()}). */
  public SessionEngine engine() {
    return engine;
  }

  /**
   * Ends every open stream with UNAVAILABLE, stops listening, closes every session, and closes the
   * model if the server loaded it.
   */
  public Future<Void> close() {
    streams.forEach(SessionStream::shutdown);
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.andThen(
        done -> {
          if (engine != null) {
            engine.close();
          }
          if (model != null) {
            model.close();
            runtime.close();
          }
        });
  }

  private Future<SessionEngine> load() {
    runtime = new ModelRuntime(options.modelThreads());
    return Future.fromCompletionStage(runtime.loadAsync(modelDir, modelOptions))
        .map(
            loaded -> {
              model = loaded;
              String name = modelDir.toAbsolutePath().normalize().getFileName().toString();
              return new SessionEngine(new ModelScoring(name, loaded), options.engine());
            });
  }

  private Future<Integer> listen(Vertx vertx) {
    GrpcServer grpc =
        GrpcServer.server(vertx, new GrpcServerOptions().setScheduleDeadlineAutomatically(true));
    engine.onReaped(this::onReaped);
    grpc.callHandler(
        VerifierGrpcService.Session,
        call -> {
          SessionStream[] stream = new SessionStream[1];
          stream[0] =
              new SessionStream(
                  call, engine, vertx.getOrCreateContext(), () -> streams.remove(stream[0]));
          streams.add(stream[0]);
          stream[0].start();
        });
    int streams = Math.max(100, 2 * options.engine().maxSessions());
    HttpServerOptions http =
        new HttpServerOptions()
            .setHost(options.host())
            .setPort(options.port())
            .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(streams));
    // With a client CA only routers holding a certificate it signed get in (mTLS).
    options.tls().ifPresent(tls -> Tls.apply(http, tls, ClientAuth.REQUIRED, "verifier server"));
    if (metrics != null) {
      Gauge.builder("tandem.verifier.server.sessions.open", engine, SessionEngine::openSessions)
          .description("Sessions (KV caches) open now")
          .register(metrics);
      Gauge.builder("tandem.verifier.server.sessions.max", options.engine(), e -> e.maxSessions())
          .register(metrics);
    }
    server =
        vertx
            .createHttpServer(http)
            .requestHandler(
                request -> {
                  String type = request.getHeader("content-type");
                  if (type != null && type.startsWith("application/grpc")) {
                    grpc.handle(request);
                  } else {
                    serveHttp(request);
                  }
                });
    return server
        .listen()
        .map(HttpServer::actualPort)
        .onSuccess(
            port ->
                LOG.info(
                    () ->
                        String.format(
                            "verifier server on %s:%d model=%s max-sessions=%d max-kv-tokens=%d"
                                + " batch-wait=%dus",
                            options.host(),
                            port,
                            engine.modelName(),
                            options.engine().maxSessions(),
                            options.engine().maxKvTokens(),
                            options.engine().maxBatchWait().toNanos() / 1000)));
  }

  // Reaper thread: the stream reads its session id on its own event loop.
  private void onReaped(long sessionId) {
    for (SessionStream stream : streams) {
      stream.reapedIfHolding(sessionId);
    }
  }

  private void serveHttp(HttpServerRequest request) {
    switch (request.path()) {
      case "/health", "/health/live", "/health/ready" -> {
        JsonObject body =
            new JsonObject()
                .put(
                    "status",
                    switch (request.path()) {
                      case "/health/live" -> "live";
                      case "/health/ready" -> "ready";
                      default -> "ok";
                    })
                .put("model", engine.modelName())
                .put("open_sessions", engine.openSessions())
                .put("max_sessions", options.engine().maxSessions());
        request.response().putHeader("content-type", "application/json").end(body.encode());
      }
      case "/metrics" -> {
        if (metrics == null) {
          request.response().setStatusCode(404).end("metrics are off");
        } else {
          request
              .response()
              .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
              .end(metrics.scrape());
        }
      }
      default -> request.response().setStatusCode(404).end();
    }
  }
}
