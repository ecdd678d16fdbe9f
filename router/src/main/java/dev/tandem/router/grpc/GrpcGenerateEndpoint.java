package dev.tandem.router.grpc;

import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpcService;
import dev.tandem.router.RouterState;
import dev.tandem.router.accounting.Tenant;
import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.engine.GenerationHandle;
import dev.tandem.router.engine.StreamEnd;
import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.ErrorMapping;
import dev.tandem.router.errors.TandemException;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcError;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code tandem.v1.Generation/Generate}: validates the request, starts a generation and streams its
 * chunks, honouring the client's flow control, cancellation and deadline.
 *
 * <p>Threading: every handler runs on the connection's event loop.
 */
public final class GrpcGenerateEndpoint {

  private static final Logger LOG = Logger.getLogger(GrpcGenerateEndpoint.class.getName());

  private final Supplier<RouterState> state;

  /**
   * @param state the configuration a new request runs against (read once per request)
   */
  public GrpcGenerateEndpoint(Supplier<RouterState> state) {
    this.state = state;
  }

  public void bind(GrpcServer server) {
    server.callHandler(GenerationGrpcService.Generate, this::handle);
  }

  private void handle(GrpcServerRequest<GenerateRequest, GenerateChunk> call) {
    call.handler(message -> start(call, message));
    call.invalidMessageHandler(
        invalid ->
            fail(
                call.response(),
                TandemException.invalid(null, "malformed request: " + invalid.getMessage())));
  }

  private void start(
      GrpcServerRequest<GenerateRequest, GenerateChunk> call, GenerateRequest message) {
    GrpcServerResponse<GenerateRequest, GenerateChunk> response = call.response();
    GenerationHandle generation;
    try {
      RouterState current = state.get();
      Tenant tenant = current.engine().authenticate(call.headers().get("authorization"));
      GenerationRequest request = current.validator().validate(ProtoMapper.toRaw(message));
      ResponseWriter writer = new ResponseWriter(response, request.returnTokenIds());
      generation = current.engine().start(request, tenant, Vertx.currentContext(), writer);
    } catch (RuntimeException e) {
      fail(response, ErrorMapping.classify(e));
      return;
    }
    call.errorHandler(
        error -> {
          if (error == GrpcError.CANCELLED) {
            generation.cancel();
          }
        });
    call.exceptionHandler(error -> generation.cancel());
    if (call.deadline() != null) {
      call.deadline().onSuccess(v -> generation.deadlineExceeded());
    }
    generation.completion().onSuccess(end -> end(response, end));
  }

  /** Formats how the generation ended: the tail and the summary chunk, or the tail and a status. */
  private static void end(
      GrpcServerResponse<GenerateRequest, GenerateChunk> response, StreamEnd end) {
    switch (end) {
      case StreamEnd.Finished done ->
          response.end(ProtoMapper.last(done.tailText(), done.result()));
      case StreamEnd.Failed failed -> {
        if (!failed.tailText().isEmpty()) {
          try {
            response.write(ProtoMapper.delta(failed.tailText(), new int[0], false));
          } catch (IllegalStateException alreadyEnded) {
            // The client reset the stream: the status below is not sent either.
          }
        }
        fail(response, failed.error());
      }
    }
  }

  private static void fail(GrpcServerResponse<?, ?> response, TandemException error) {
    if (error.kind() == ErrorKind.INTERNAL) {
      LOG.log(Level.WARNING, "Generate failed", error);
    }
    try {
      error
          .retryAfter()
          .ifPresent(
              wait ->
                  response
                      .trailers()
                      .set("grpc-retry-pushback-ms", Long.toString(wait.toMillis())));
      response
          .status(ErrorMapping.grpcStatus(error.kind()))
          .statusMessage(error.getMessage())
          .end();
    } catch (IllegalStateException alreadyEnded) {
      // The stream was reset by the client: nothing left to tell it.
    }
  }

  /** Writes deltas as {@link GenerateChunk}s with the response's own flow control. */
  private record ResponseWriter(
      GrpcServerResponse<GenerateRequest, GenerateChunk> response, boolean withIds)
      implements ChunkWriter {

    @Override
    public void writeDelta(String text, int[] tokens) {
      if (!text.isEmpty() || withIds) {
        response.write(ProtoMapper.delta(text, tokens, withIds));
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
}
