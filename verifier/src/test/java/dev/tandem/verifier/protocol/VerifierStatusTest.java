package dev.tandem.verifier.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.speccore.VerifierException;
import dev.tandem.speccore.VerifierException.Kind;
import dev.tandem.verifier.engine.CapacityExceededException;
import dev.tandem.verifier.engine.PositionMismatchException;
import dev.tandem.verifier.engine.SessionClosedException;
import dev.tandem.verifier.server.StatusMapping;
import io.vertx.grpc.common.GrpcStatus;
import org.junit.jupiter.api.Test;

/** Server and client read the same table: every kind survives the trip through its status. */
class VerifierStatusTest {

  @Test
  void everyKindComesBackAsItself() {
    for (Kind kind : Kind.values()) {
      GrpcStatus sent = StatusMapping.of(new VerifierException(kind, "x")).status();
      assertEquals(VerifierStatus.of(kind), sent, kind.name());
      assertEquals(kind, VerifierStatus.kindOf(sent), kind.name());
    }
  }

  @Test
  void engineFailuresHaveTheirKindsStatuses() {
    assertEquals(
        GrpcStatus.RESOURCE_EXHAUSTED,
        StatusMapping.of(new CapacityExceededException("x")).status());
    assertEquals(
        GrpcStatus.FAILED_PRECONDITION,
        StatusMapping.of(new PositionMismatchException("x")).status());
    assertEquals(
        GrpcStatus.FAILED_PRECONDITION, StatusMapping.of(new SessionClosedException("x")).status());
  }

  @Test
  void statusesOfALostSessionAreUnavailable() {
    for (GrpcStatus status :
        new GrpcStatus[] {
          GrpcStatus.UNAVAILABLE,
          GrpcStatus.ABORTED,
          GrpcStatus.CANCELLED,
          GrpcStatus.DEADLINE_EXCEEDED,
          GrpcStatus.UNKNOWN,
          GrpcStatus.INTERNAL
        }) {
      assertEquals(Kind.UNAVAILABLE, VerifierStatus.kindOf(status), status.name());
    }
  }
}
