package dev.tandem.verifier.server;

import dev.tandem.speccore.VerifierException;
import dev.tandem.verifier.protocol.VerifierStatus;
import io.vertx.grpc.common.GrpcStatus;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one mapping from the verifier's failures to gRPC statuses: {@link VerifierException}s by
 * their kind ({@link VerifierStatus}, the table the client reads back), bad input and protocol
 * misuse by type. Messages of known failures pass through (they say what was wrong and what is
 * allowed); unexpected ones become INTERNAL with the exception's class and message.
 */
public final class StatusMapping {

  private StatusMapping() {}

  /** A status and the message to send with it. */
  public record Failure(GrpcStatus status, String message) {}

  public static Failure of(Throwable error) {
    Throwable t = unwrap(error);
    GrpcStatus status =
        switch (t) {
          case VerifierException e -> VerifierStatus.of(e.kind());
          case IllegalArgumentException e -> GrpcStatus.INVALID_ARGUMENT;
          case IllegalStateException e -> GrpcStatus.FAILED_PRECONDITION;
          default -> GrpcStatus.INTERNAL;
        };
    String message =
        status == GrpcStatus.INTERNAL
            ? "internal error: " + t.getClass().getSimpleName() + ": " + t.getMessage()
            : t.getMessage();
    return new Failure(status, message);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
