package dev.tandem.router.errors;

import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The one mapping from failures to what clients see: gRPC status codes, HTTP status codes and
 * OpenAI-shaped error bodies ({@code {"error": {"message", "type", "param", "code"}}}). Unexpected
 * exceptions become INTERNAL with a generic message (details go to the log).
 */
public final class ErrorMapping {

  private ErrorMapping() {}

  /** Unwraps completion wrappers and classifies any throwable as a {@link TandemException}. */
  public static TandemException classify(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof TandemException te) {
      return te;
    }
    if (t instanceof IllegalArgumentException) {
      return new TandemException(ErrorKind.INVALID_ARGUMENT, null, t.getMessage(), t);
    }
    if (t instanceof CancellationException) {
      return new TandemException(ErrorKind.CANCELLED, null, "request cancelled", t);
    }
    if (t instanceof TimeoutException) {
      return new TandemException(ErrorKind.DEADLINE_EXCEEDED, null, "deadline exceeded", t);
    }
    return new TandemException(
        ErrorKind.INTERNAL,
        null,
        "internal error: "
            + t.getClass().getSimpleName()
            + (t.getMessage() == null ? "" : ": " + t.getMessage()),
        t);
  }

  public static GrpcStatus grpcStatus(ErrorKind kind) {
    return switch (kind) {
      case INVALID_ARGUMENT -> GrpcStatus.INVALID_ARGUMENT;
      case UNAUTHENTICATED -> GrpcStatus.UNAUTHENTICATED;
      case NOT_FOUND -> GrpcStatus.NOT_FOUND;
      case RESOURCE_EXHAUSTED -> GrpcStatus.RESOURCE_EXHAUSTED;
      case DEADLINE_EXCEEDED -> GrpcStatus.DEADLINE_EXCEEDED;
      case CANCELLED -> GrpcStatus.CANCELLED;
      case UNAVAILABLE -> GrpcStatus.UNAVAILABLE;
      case INTERNAL -> GrpcStatus.INTERNAL;
    };
  }

  public static int httpStatus(ErrorKind kind) {
    return switch (kind) {
      case INVALID_ARGUMENT -> 400;
      case UNAUTHENTICATED -> 401;
      case NOT_FOUND -> 404;
      case RESOURCE_EXHAUSTED -> 429;
      case DEADLINE_EXCEEDED -> 504;
      case CANCELLED -> 499;
      case UNAVAILABLE -> 503;
      case INTERNAL -> 500;
    };
  }

  /** OpenAI's error {@code type} for a kind. */
  static String openAiType(ErrorKind kind) {
    return switch (kind) {
      case INVALID_ARGUMENT, NOT_FOUND -> "invalid_request_error";
      case UNAUTHENTICATED -> "authentication_error";
      case RESOURCE_EXHAUSTED -> "rate_limit_error";
      case DEADLINE_EXCEEDED, CANCELLED, UNAVAILABLE, INTERNAL -> "server_error";
    };
  }

  /** The OpenAI-shaped error body. */
  public static JsonObject openAiBody(TandemException e) {
    JsonObject error =
        new JsonObject()
            .put("message", e.getMessage())
            .put("type", openAiType(e.kind()))
            .put("param", e.param())
            .put("code", e.kind().name().toLowerCase(java.util.Locale.ROOT));
    return new JsonObject().put("error", error);
  }
}
