package dev.tandem.router.grpc;

import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpcService;
import dev.tandem.router.RouterState;
import dev.tandem.router.accounting.Tenant;
import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.engine.GenerationHandle;
import dev.tandem.router.engine.StreamDeadlines;
import dev.tandem.router.engine.StreamEnd;
import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.ErrorMapping;
import dev.tandem.router.errors.TandemException;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcError;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.InvalidMessageException;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.time.Duration;
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
  private final StreamDeadlines deadlines;

  /**
   * @param state the configuration a new request runs against (read once per request)
   * @param deadlines where the callers' deadlines ({@code grpc-timeout}) are kept
   */
  public GrpcGenerateEndpoint(Supplier<RouterState> state, StreamDeadlines deadlines) {
    this.state = state;
    this.deadlines = deadlines;
  }

  /**
   * Generate with a decoder that hands a message it cannot decode (bad wire format, a string that
   * is not UTF-8) to the handler as {@link Malformed} instead of throwing: Vert.x resets the stream
   * (CANCELLED) when a decoder throws, and the caller should hear INVALID_ARGUMENT and why.
   */
  private static final ServiceMethod<Object, GenerateChunk> GENERATE =
      ServiceMethod.server(
          GenerationGrpcService.SERVICE_NAME,
          GenerationGrpcService.Generate.methodName(),
          GenerationGrpcService.Generate.encoder(),
          new GrpcMessageDecoder<>() {
            private final GrpcMessageDecoder<GenerateRequest> proto =
                GenerationGrpcService.Generate.decoder();

            @Override
            public Object decode(GrpcMessage message) {
              try {
                return proto.decode(message);
              } catch (CodecException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                return new Malformed(String.valueOf(cause.getMessage()));
              }
            }

            @Override
            public boolean accepts(WireFormat format) {
              return proto.accepts(format);
            }
          });

  /** A request message that could not be decoded, and why. */
  private record Malformed(String reason) {}

  public void bind(GrpcServer server) {
    server.callHandler(GENERATE, this::handle);
  }

  private void handle(GrpcServerRequest<Object, GenerateChunk> call) {
    call.handler(
        message -> {
          switch (message) {
            case GenerateRequest request -> start(call, request);
            case Malformed malformed ->
                fail(
                    call.response(),
                    TandemException.invalid(
                        null,
                        "malformed request (not a GenerateRequest in valid UTF-8): "
                            + malformed.reason()));
            default -> throw new IllegalStateException("decoded " + message.getClass());
          }
        });
    call.invalidMessageHandler(invalid -> fail(call.response(), invalid(invalid)));
  }

  /**
   * A message the server could not take: larger than {@code limits.max_body_bytes} (as the listener
   * started with), or not a {@code GenerateRequest} (bad wire format, a string that is not UTF-8).
   */
  private TandemException invalid(InvalidMessageException invalid) {
    if (invalid instanceof MessageSizeOverflowException overflow) {
      return tooLarge(overflow.messageSize());
    }
    return TandemException.invalid(
        null, "malformed request (not a GenerateRequest in valid UTF-8): " + invalid.getMessage());
  }

  private TandemException tooLarge(long size) {
    long limit = state.get().config().limits().maxBodyBytes();
    return TandemException.invalid(
        null,
        "request message has " + size + " bytes; limits.max_body_bytes allows at most " + limit);
  }

  private void start(GrpcServerRequest<Object, GenerateChunk> call, GenerateRequest message) {
    GrpcServerResponse<Object, GenerateChunk> response = call.response();
    GenerationHandle generation;
    try {
      RouterState current = state.get();
      if (message.getSerializedSize() > current.config().limits().maxBodyBytes()) {
        throw tooLarge(message.getSerializedSize());
      }
      Tenant tenant = current.engine().authenticate(call.headers().get("authorization"));
      GenerationRequest request = current.validator().validate(ProtoMapper.toRaw(message));
      ResponseWriter writer =
          new ResponseWriter(
              response, request.returnTokenIds(), call.format() == WireFormat.PROTOBUF);
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
    // A connection that dies (reset by the peer, GOAWAY with an error) while the response waits
    // for a drain is reported to the response only: without this the paused generation would
    // wait for a drain that never comes, holding its verifier session.
    response.exceptionHandler(error -> generation.cancel());
    if (call.timeout() > 0) {
      deadlines.watch(generation, Vertx.currentContext(), Duration.ofMillis(call.timeout()));
    }
    generation.completion().onSuccess(end -> end(response, end));
  }

  /** Formats how the generation ended: the tail and the summary chunk, or the tail and a status. */
  private static void end(GrpcServerResponse<?, GenerateChunk> response, StreamEnd end) {
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

  /**
   * Writes deltas as {@link GenerateChunk}s with the response's own flow control; in the protobuf
   * wire format encoded straight into the buffer ({@link DeltaEncoder}).
   */
  private record ResponseWriter(
      GrpcServerResponse<?, GenerateChunk> response, boolean withIds, boolean protobuf)
      implements ChunkWriter {

    @Override
    public void writeDelta(String text, int[] tokens) {
      if (text.isEmpty() && !withIds) {
        return;
      }
      if (protobuf) {
        response.writeMessage(
            GrpcMessage.message(
                "identity", WireFormat.PROTOBUF, DeltaEncoder.encode(text, tokens, withIds)));
      } else {
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
