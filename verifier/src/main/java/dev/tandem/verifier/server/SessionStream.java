package dev.tandem.verifier.server;

import dev.tandem.proto.v1.VerifierRequest;
import dev.tandem.proto.v1.VerifierResponse;
import dev.tandem.verifier.engine.OpenResult;
import dev.tandem.verifier.engine.SessionEngine;
import dev.tandem.verifier.protocol.FromProto;
import dev.tandem.verifier.protocol.OpenCommand;
import dev.tandem.verifier.protocol.ToProto;
import dev.tandem.verifier.protocol.VerifyCommand;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One {@code tandem.v1.Verifier/Session} stream: one engine session. Answers Open with Opened and
 * each Verify with one Verdict, one call in flight at a time. Whatever ends the stream (Close,
 * half-close, an error, client cancel, stream reset, a dead connection, the deadline) frees the
 * session at once, in {@link #release()}; an Open that completes after the stream died closes its
 * session on arrival.
 *
 * <p>Threading: every method runs on the stream's event loop. Engine results are hopped back to it
 * with {@link Future#fromCompletionStage(CompletionStage, Context)}.
 */
final class SessionStream {

  private static final Logger LOG = Logger.getLogger(SessionStream.class.getName());
  private static final long NO_SESSION = -1;

  private final GrpcServerRequest<VerifierRequest, VerifierResponse> call;
  private final GrpcServerResponse<VerifierRequest, VerifierResponse> response;
  private final SessionEngine engine;
  private final Context context;
  private final Runnable onEnded;

  private long sessionId = NO_SESSION;
  private boolean openSent;
  private boolean inFlight;
  private boolean halfClosed;
  private boolean ended;

  SessionStream(
      GrpcServerRequest<VerifierRequest, VerifierResponse> call,
      SessionEngine engine,
      Context context,
      Runnable onEnded) {
    this.call = call;
    this.onEnded = onEnded;
    this.response = call.response();
    this.engine = engine;
    this.context = context;
  }

  /** Installs the stream's handlers. */
  void start() {
    call.handler(this::onMessage);
    call.invalidMessageHandler(
        invalid -> fail(GrpcStatus.INVALID_ARGUMENT, "malformed message: " + invalid.getMessage()));
    call.endHandler(v -> onHalfClose());
    call.errorHandler(error -> abandon("client error " + error));
    call.exceptionHandler(error -> abandon("stream failed: " + error));
    response.exceptionHandler(error -> abandon("response failed: " + error));
    if (call.deadline() != null) {
      call.deadline()
          .onSuccess(v -> fail(GrpcStatus.DEADLINE_EXCEEDED, "deadline exceeded; session freed"));
    }
  }

  /**
   * The idle reaper freed session {@code id}: if it is this stream's, end the stream with ABORTED.
   * Any thread.
   */
  void reapedIfHolding(long id) {
    context.runOnContext(
        v -> {
          if (sessionId == id) {
            fail(
                GrpcStatus.ABORTED,
                "session idle for more than "
                    + engine.options().idleTimeout().toMillis()
                    + " ms; freed");
          }
        });
  }

  /** The server is shutting down: end the stream with UNAVAILABLE. Any thread. */
  void shutdown() {
    context.runOnContext(
        v -> fail(GrpcStatus.UNAVAILABLE, "verifier server is shutting down; session freed"));
  }

  private void onMessage(VerifierRequest request) {
    if (ended) {
      return;
    }
    try {
      switch (request.getKindCase()) {
        case OPEN -> open(FromProto.open(request.getOpen()));
        case VERIFY -> verify(FromProto.verify(request.getVerify()));
        case CLOSE -> finish();
        case KIND_NOT_SET ->
            throw new IllegalArgumentException("a request must be one of open, verify, close");
      }
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void open(OpenCommand command) {
    if (openSent) {
      throw new IllegalStateException("open must be the first and only open of a session");
    }
    if (!command.model().isEmpty() && !command.model().equals(engine.modelName())) {
      throw new ModelNotFoundException(
          "model "
              + command.model()
              + " is not served here; this server hosts "
              + engine.modelName());
    }
    openSent = true;
    call(
        command.resume()
            ? engine.resume(command.prompt(), command.params(), command.maxLength())
            : engine.open(command.prompt(), command.params(), command.maxLength()),
        opened -> {
          sessionId = opened.sessionId();
          return ToProto.opened(opened);
        },
        OpenResult::sessionId);
  }

  private void verify(VerifyCommand command) {
    if (sessionId == NO_SESSION) {
      throw new IllegalStateException(
          openSent ? "verify sent before opened arrived" : "a session must start with open");
    }
    if (inFlight) {
      throw new IllegalStateException("one verify at a time: wait for the previous verdict");
    }
    call(
        engine.verify(sessionId, command.position(), command.lastToken(), command.draft()),
        ToProto::verdict,
        null);
  }

  /**
   * Waits for an engine call on the event loop, then answers.
   *
   * @param orphan when the stream ended meanwhile, the id of a session the call created, to close
   */
  private <T> void call(
      CompletionStage<T> stage,
      Function<T, VerifierResponse> toResponse,
      ToLongFunction<T> orphan) {
    inFlight = true;
    Future.fromCompletionStage(stage, context)
        .onComplete(
            result -> {
              if (ended) {
                if (result.succeeded() && orphan != null) {
                  engine.closeSession(orphan.applyAsLong(result.result()));
                }
                return;
              }
              if (result.failed()) {
                inFlight = false;
                fail(result.cause());
                return;
              }
              write(toResponse.apply(result.result()));
            });
  }

  private void write(VerifierResponse message) {
    inFlight = false;
    if (ended) {
      return;
    }
    response.write(message);
    if (halfClosed) {
      finish();
    }
  }

  private void onHalfClose() {
    halfClosed = true;
    if (!inFlight) {
      finish();
    }
  }

  /** Close or half-close: frees the session and ends the stream with OK. */
  private void finish() {
    if (ended) {
      return;
    }
    release();
    end(GrpcStatus.OK, null);
  }

  private void fail(Throwable error) {
    StatusMapping.Failure failure = StatusMapping.of(error);
    if (failure.status() == GrpcStatus.INTERNAL) {
      LOG.log(Level.WARNING, "verifier session failed", error);
    }
    fail(failure.status(), failure.message());
  }

  private void fail(GrpcStatus status, String message) {
    if (ended) {
      return;
    }
    release();
    end(status, message);
  }

  /** The client went away (cancel, reset, dead connection): free everything, answer nothing. */
  private void abandon(String why) {
    if (ended) {
      return;
    }
    LOG.fine(() -> "session " + sessionId + " abandoned: " + why);
    release();
  }

  /** The one place a stream lets go of its session. */
  private void release() {
    ended = true;
    if (sessionId != NO_SESSION) {
      engine.closeSession(sessionId);
    }
    onEnded.run();
  }

  private void end(GrpcStatus status, String message) {
    try {
      response.status(status);
      if (message != null) {
        response.statusMessage(message);
      }
      response.end();
    } catch (IllegalStateException alreadyGone) {
      // The stream was reset or already ended: nobody is left to tell.
    }
  }
}
