package dev.tandem.verifier.protocol;

import dev.tandem.speccore.VerifierException.Kind;
import io.vertx.grpc.common.GrpcStatus;

/**
 * The one table between verifier error kinds and the gRPC statuses of {@code tandem.v1.Verifier}:
 * the server sends {@link #of(Kind)}, the client turns what it receives back into a kind with
 * {@link #kindOf(GrpcStatus)}.
 *
 * <p>Stateless and thread-safe.
 */
public final class VerifierStatus {

  private VerifierStatus() {}

  /** The status a server ends a stream with for a failure of this kind. */
  public static GrpcStatus of(Kind kind) {
    return switch (kind) {
      case CAPACITY -> GrpcStatus.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> GrpcStatus.UNAVAILABLE;
      case POSITION_MISMATCH -> GrpcStatus.FAILED_PRECONDITION;
      case INVALID_REQUEST -> GrpcStatus.INVALID_ARGUMENT;
      case MODEL_NOT_FOUND -> GrpcStatus.NOT_FOUND;
    };
  }

  /**
   * The kind of a status a server ended a session with. Statuses that stand for a lost session or a
   * server-side fault (UNAVAILABLE, ABORTED by the idle reaper, CANCELLED, DEADLINE_EXCEEDED,
   * UNKNOWN, INTERNAL, ...) are UNAVAILABLE: the session can be reopened elsewhere.
   */
  public static Kind kindOf(GrpcStatus status) {
    return switch (status) {
      case RESOURCE_EXHAUSTED -> Kind.CAPACITY;
      case FAILED_PRECONDITION -> Kind.POSITION_MISMATCH;
      case INVALID_ARGUMENT, OUT_OF_RANGE -> Kind.INVALID_REQUEST;
      case NOT_FOUND -> Kind.MODEL_NOT_FOUND;
      default -> Kind.UNAVAILABLE;
    };
  }
}
