package dev.tandem.router;

import dev.tandem.router.api.RequestLimits;
import dev.tandem.router.api.RequestValidator;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.engine.GenerationEngine;
import dev.tandem.router.grpc.GrpcGenerateEndpoint;
import dev.tandem.router.http.OpenAiEndpoint;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;

/**
 * One Vert.x HTTP server that serves both APIs on one port: requests with a gRPC content type go to
 * the gRPC server ({@code tandem.v1.Generation}), everything else to the HTTP router
 * (OpenAI-compatible API, health).
 *
 * <p>Threading: built and started from any thread; handlers run on event loops.
 */
public final class RouterServer {

  private final Vertx vertx;
  private final TandemConfig config;
  private final GenerationEngine engine;
  private HttpServer server;

  public RouterServer(Vertx vertx, TandemConfig config, GenerationEngine engine) {
    this.vertx = vertx;
    this.config = config;
    this.engine = engine;
  }

  /** The validator for the config's limits. */
  static RequestValidator validator(TandemConfig config) {
    TandemConfig.Limits l = config.limits();
    return new RequestValidator(
        new RequestLimits(
            l.maxTokens(),
            l.defaultMaxTokens(),
            l.maxPromptChars(),
            config.speculation().kMax(),
            16));
  }

  /** Starts listening; completes with the bound port (useful when the config says 0). */
  public Future<Integer> start() {
    RequestValidator validator = validator(config);
    GrpcServer grpc =
        GrpcServer.server(vertx, new GrpcServerOptions().setScheduleDeadlineAutomatically(true));
    new GrpcGenerateEndpoint(validator, engine).bind(grpc);

    Router http = Router.router(vertx);
    new OpenAiEndpoint(
            validator, engine, config.limits().maxBodyBytes(), config.limits().requestTimeoutMs())
        .mount(http);
    http.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "ok")));

    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.server().host())
            .setPort(config.server().port())
            .setInitialSettings(
                new Http2Settings()
                    .setMaxConcurrentStreams(config.limits().maxConcurrentStreams()));
    server =
        vertx
            .createHttpServer(options)
            .connectionHandler(RouterServer::consolidateFlushes)
            .requestHandler(
                request -> {
                  String type = request.getHeader("content-type");
                  if (type != null && type.startsWith("application/grpc")) {
                    grpc.handle(request);
                  } else {
                    http.handle(request);
                  }
                });
    return server.listen().map(HttpServer::actualPort);
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

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
