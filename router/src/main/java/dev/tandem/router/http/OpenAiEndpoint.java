package dev.tandem.router.http;

import dev.tandem.router.RouterState;
import dev.tandem.router.accounting.Tenant;
import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.engine.GenerationHandle;
import dev.tandem.router.engine.StreamDeadlines;
import dev.tandem.router.engine.StreamEnd;
import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.ErrorMapping;
import dev.tandem.router.errors.TandemException;
import dev.tandem.router.http.OpenAiRequestParser.Parsed;
import dev.tandem.router.http.OpenAiResponses.Kind;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The OpenAI-compatible HTTP API: {@code POST /v1/completions}, {@code POST /v1/chat/completions}
 * (JSON or Server-Sent Events with {@code stream: true}, ending with {@code data: [DONE]}), {@code
 * GET /v1/models}. Errors are OpenAI-shaped bodies.
 *
 * <p>Threading: handlers run on the connection's event loop.
 */
public final class OpenAiEndpoint {

  private static final Logger LOG = Logger.getLogger(OpenAiEndpoint.class.getName());

  private final Supplier<RouterState> state;
  private final StreamDeadlines deadlines;

  /**
   * @param state the configuration a new request runs against (read once per request): its limits
   *     (larger bodies are refused with 413; the request timeout ends a request with
   *     DEADLINE_EXCEEDED), validator and engine
   * @param deadlines where the request timeouts are kept
   */
  public OpenAiEndpoint(Supplier<RouterState> state, StreamDeadlines deadlines) {
    this.state = state;
    this.deadlines = deadlines;
  }

  public void mount(Router router) {
    router
        .route("/v1/*")
        .handler(
            ctx -> {
              RouterState current = state.get();
              ctx.put(RouterState.class.getName(), current);
              BodyHandler.create(false)
                  .setBodyLimit(current.config().limits().maxBodyBytes())
                  .handle(ctx);
            });
    router
        .post("/v1/completions")
        .handler(ctx -> generate(ctx, Kind.COMPLETION, OpenAiRequestParser::completion));
    router
        .post("/v1/chat/completions")
        .handler(ctx -> generate(ctx, Kind.CHAT, OpenAiRequestParser::chat));
    router.get("/v1/models").handler(this::models);
    router.get("/v1/usage").handler(OpenAiEndpoint::usage);
    router.route("/v1/*").failureHandler(this::failure);
  }

  /** The state the request started with (every /v1 request reads it once, first thing). */
  private static RouterState state(RoutingContext ctx) {
    return ctx.get(RouterState.class.getName());
  }

  /** The caller's tenant from {@code Authorization: Bearer KEY}; UNAUTHENTICATED otherwise. */
  private static Tenant tenant(RoutingContext ctx) {
    return state(ctx).engine().authenticate(ctx.request().getHeader("Authorization"));
  }

  /** The caller's own spend (see {@link UsageEndpoint}). */
  private static void usage(RoutingContext ctx) {
    Tenant tenant;
    try {
      tenant = tenant(ctx);
    } catch (RuntimeException e) {
      sendError(ctx.response(), ErrorMapping.classify(e));
      return;
    }
    RouterState state = state(ctx);
    UsageEndpoint.serve(
        ctx,
        state.engine().cost().store(),
        tenant.id(),
        state.config().cost().metricTags(),
        state.engine().cost().clock());
  }

  private void models(RoutingContext ctx) {
    JsonArray data = new JsonArray();
    for (String id : state(ctx).engine().modelIds()) {
      data.add(
          new JsonObject()
              .put("id", id)
              .put("object", "model")
              .put("created", 0)
              .put("owned_by", "tandem"));
    }
    ctx.json(new JsonObject().put("object", "list").put("data", data));
  }

  private void generate(RoutingContext ctx, Kind kind, Function<JsonObject, Parsed> parser) {
    Parsed parsed;
    GenerationRequest request;
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        throw TandemException.invalid(null, "request body must be a JSON object");
      }
      parsed = parser.apply(body);
      request = state(ctx).validator().validate(parsed.raw());
    } catch (DecodeException | ClassCastException e) {
      sendError(
          ctx.response(),
          TandemException.invalid(null, "request body is not valid JSON: " + e.getMessage()));
      return;
    } catch (RuntimeException e) {
      sendError(ctx.response(), ErrorMapping.classify(e));
      return;
    }
    String id = kind.idPrefix + UUID.randomUUID().toString().replace("-", "");
    long created = System.currentTimeMillis() / 1000;
    if (parsed.stream()) {
      stream(ctx, kind, request, id, created, parsed.includeUsage());
    } else {
      answer(ctx, kind, request, id, created);
    }
  }

  private void answer(
      RoutingContext ctx, Kind kind, GenerationRequest request, String id, long created) {
    StringBuilder text = new StringBuilder();
    GenerationHandle generation;
    try {
      generation =
          state(ctx)
              .engine()
              .start(request, tenant(ctx), Vertx.currentContext(), ChunkWriter.into(text));
    } catch (RuntimeException e) {
      sendError(ctx.response(), ErrorMapping.classify(e));
      return;
    }
    watch(ctx, generation);
    generation
        .completion()
        .onSuccess(
            end -> {
              switch (end) {
                case StreamEnd.Finished done ->
                    ctx.json(
                        OpenAiResponses.complete(
                            kind, id, created, text + done.tailText(), done.result()));
                case StreamEnd.Failed failed -> sendError(ctx.response(), failed.error());
              }
            });
  }

  private void stream(
      RoutingContext ctx,
      Kind kind,
      GenerationRequest request,
      String id,
      long created,
      boolean includeUsage) {
    HttpServerResponse response = ctx.response();
    SseWriter sse = new SseWriter(response, kind, id, created);
    // Headers first: nothing is sent until the first write, and an error before it replaces them.
    response
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-cache");
    GenerationHandle generation;
    try {
      generation = state(ctx).engine().start(request, tenant(ctx), Vertx.currentContext(), sse);
    } catch (RuntimeException e) {
      sendError(response, ErrorMapping.classify(e));
      return;
    }
    sse.generation = generation;
    watch(ctx, generation);
    generation.completion().onSuccess(end -> endStream(sse, end, includeUsage));
  }

  /**
   * Formats how a stream ended: the tail and the finish chunk (then usage when asked), or the tail
   * and an error event after what was sent; a plain HTTP error when nothing was sent yet.
   */
  private static void endStream(SseWriter sse, StreamEnd end, boolean includeUsage) {
    HttpServerResponse response = sse.response;
    switch (end) {
      case StreamEnd.Finished done -> {
        String reason = OpenAiResponses.finishReason(done.result().finishReason());
        JsonObject last =
            OpenAiResponses.chunk(
                sse.kind, sse.id, sse.created, sse.model(), done.tailText(), reason, sse.first);
        // A cached answer says so on its last chunk, also when the client asked for no usage.
        done.result()
            .cacheHit()
            .ifPresent(
                hit ->
                    last.put(
                        "tandem",
                        new JsonObject()
                            .put("cached", true)
                            .put("cache", OpenAiResponses.cacheHit(hit))));
        sse.event(last);
        if (includeUsage) {
          sse.event(OpenAiResponses.usageChunk(sse.kind, sse.id, sse.created, done.result()));
        }
        response.end("data: [DONE]\n\n");
      }
      case StreamEnd.Failed failed -> {
        TandemException e = failed.error();
        if (!response.headWritten() && failed.tailText().isEmpty()) {
          sendError(response, e); // nothing streamed yet: a plain HTTP error
        } else if (e.kind() != ErrorKind.CANCELLED && !response.closed()) {
          sse.writeDelta(failed.tailText(), new int[0]);
          sse.event(ErrorMapping.openAiBody(e));
          response.end("data: [DONE]\n\n");
        }
      }
    }
  }

  /** Client disconnects cancel the generation; the configured timeout ends it. */
  private void watch(RoutingContext ctx, GenerationHandle generation) {
    ctx.response().closeHandler(v -> generation.cancel());
    long requestTimeoutMs = state(ctx).config().limits().requestTimeoutMs();
    if (requestTimeoutMs > 0) {
      deadlines.watch(generation, Vertx.currentContext(), Duration.ofMillis(requestTimeoutMs));
    }
  }

  private void failure(RoutingContext ctx) {
    int status = ctx.statusCode();
    TandemException error =
        status == 413
            ? TandemException.invalid(
                null,
                "request body must be at most "
                    + state(ctx).config().limits().maxBodyBytes()
                    + " bytes")
            : ErrorMapping.classify(
                ctx.failure() == null
                    ? new IllegalStateException("HTTP " + status)
                    : ctx.failure());
    sendError(ctx.response(), error, status == 413 ? 413 : ErrorMapping.httpStatus(error.kind()));
  }

  private static void sendError(HttpServerResponse response, TandemException error) {
    sendError(response, error, ErrorMapping.httpStatus(error.kind()));
  }

  private static void sendError(HttpServerResponse response, TandemException error, int status) {
    if (error.kind() == ErrorKind.INTERNAL) {
      LOG.log(Level.WARNING, "request failed", error);
    }
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.end();
      return;
    }
    error
        .retryAfter()
        .ifPresent(wait -> response.putHeader("Retry-After", ErrorMapping.retryAfterSeconds(wait)));
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(ErrorMapping.openAiBody(error).encode());
  }

  /** Writes each delta as one {@code data:} event, with the response's flow control. */
  private static final class SseWriter implements ChunkWriter {
    private final HttpServerResponse response;
    private final Kind kind;
    private final String id;
    private final long created;
    private GenerationHandle generation;
    private String model; // set when routed, before the first chunk (see ChunkWriter#routed)
    private boolean first = true;

    SseWriter(HttpServerResponse response, Kind kind, String id, long created) {
      this.response = response;
      this.kind = kind;
      this.id = id;
      this.created = created;
    }

    @Override
    public void writeDelta(String text, int[] tokens) {
      if (!text.isEmpty()) {
        event(OpenAiResponses.chunk(kind, id, created, model, text, null, first));
        first = false;
      }
    }

    @Override
    public void routed(String servingModel) {
      model = servingModel;
    }

    /**
     * The model to name in the last chunk: as routed, or the handle's when the request ended first.
     */
    String model() {
      return model != null ? model : generation.model();
    }

    void event(JsonObject json) {
      if (!response.closed()) {
        response.write("data: " + json.encode() + "\n\n");
      }
    }

    @Override
    public boolean writeQueueFull() {
      return response.writeQueueFull();
    }

    @Override
    public void drainHandler(Runnable handler) {
      response.drainHandler(v -> handler.run());
    }
  }

  static List<String> paths() {
    return List.of("/v1/completions", "/v1/chat/completions", "/v1/models");
  }
}
