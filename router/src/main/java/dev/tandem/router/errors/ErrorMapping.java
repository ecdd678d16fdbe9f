package dev.tandem.router.errors;

import dev.tandem.speccore.VerifierException;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
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
    Throwable t = unwrap(error);
    if (t instanceof TandemException te) {
      return te;
    }
    if (t instanceof VerifierException ve) {
      return verifier(ve);
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
    return internal(t);
  }

  /**
   * As {@link #classify}, for a failure once the request was accepted and its sessions opened (its
   * speculation loop's): the caller's input was checked before, so a bare {@link
   * IllegalArgumentException} there is a fault of the router's or of a backend's, INTERNAL rather
   * than the caller's INVALID_ARGUMENT. Typed failures ({@link TandemException}, a verifier's
   * refusal) keep their kind.
   */
  public static TandemException classifyAccepted(Throwable error) {
    Throwable t = unwrap(error);
    return t instanceof IllegalArgumentException ? internal(t) : classify(t);
  }

  /** Without the completion wrappers futures add. */
  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static TandemException internal(Throwable t) {
    return new TandemException(
        ErrorKind.INTERNAL,
        null,
        "internal error: "
            + t.getClass().getSimpleName()
            + (t.getMessage() == null ? "" : ": " + t.getMessage()),
        t);
  }

  /**
   * Verifier failures in client terms: a full verifier is RESOURCE_EXHAUSTED with a retry hint (the
   * verifier's, else {@link #DEFAULT_RETRY_AFTER}); a request the verifier refused is
   * INVALID_ARGUMENT; everything else (unreachable, timed out, session lost or out of step, model
   * not hosted) is UNAVAILABLE: none of it is the client's doing, none of it is INTERNAL.
   */
  static TandemException verifier(VerifierException e) {
    return switch (e.kind()) {
      case CAPACITY ->
          new TandemException(
              ErrorKind.RESOURCE_EXHAUSTED,
              null,
              "verifier capacity exhausted: " + e.getMessage(),
              e.retryAfter().orElse(DEFAULT_RETRY_AFTER),
              e);
      case INVALID_REQUEST ->
          new TandemException(
              ErrorKind.INVALID_ARGUMENT,
              null,
              "the verifier refused the request: " + e.getMessage(),
              e);
      case UNAVAILABLE, POSITION_MISMATCH, MODEL_NOT_FOUND ->
          new TandemException(
              ErrorKind.UNAVAILABLE, null, "verifier unavailable: " + e.getMessage(), e);
    };
  }

  /** The retry hint of a capacity refusal when the verifier gave none. */
  public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

  /** {@code Retry-After} in whole seconds, rounded up (at least 1). */
  public static String retryAfterSeconds(Duration retryAfter) {
    long seconds = (retryAfter.toMillis() + 999) / 1000;
    return Long.toString(Math.max(1, seconds));
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
