package dev.tandem.router.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.speccore.VerifierException;
import dev.tandem.speccore.VerifierException.Kind;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Verifier failures reach clients with a status that says what to do, never as INTERNAL. */
class ErrorMappingTest {

  @Test
  void aFullVerifierIsResourceExhaustedWithARetryHint() {
    TandemException e =
        ErrorMapping.classify(
            new CompletionException(
                new VerifierException(Kind.CAPACITY, "max-sessions limit reached: 4 of 4")));
    assertEquals(ErrorKind.RESOURCE_EXHAUSTED, e.kind());
    assertEquals(429, ErrorMapping.httpStatus(e.kind()));
    assertEquals(Optional.of(ErrorMapping.DEFAULT_RETRY_AFTER), e.retryAfter());
    assertTrue(e.getMessage().contains("max-sessions"), e.getMessage());

    TandemException hinted =
        ErrorMapping.classify(
            new VerifierException(Kind.CAPACITY, "full", Duration.ofMillis(2500), null));
    assertEquals("3", ErrorMapping.retryAfterSeconds(hinted.retryAfter().orElseThrow()));
  }

  @Test
  void anIllegalArgumentOnceARequestIsAcceptedIsInternal() {
    IllegalArgumentException bug = new IllegalArgumentException("verifyFixed must be >= 0");
    assertEquals(ErrorKind.INVALID_ARGUMENT, ErrorMapping.classify(bug).kind(), "before: input");
    TandemException running = ErrorMapping.classifyAccepted(new CompletionException(bug));
    assertEquals(ErrorKind.INTERNAL, running.kind());
    assertTrue(running.getMessage().contains("verifyFixed must be >= 0"), running.getMessage());
    // typed failures keep their kind
    assertEquals(
        ErrorKind.INVALID_ARGUMENT,
        ErrorMapping.classifyAccepted(TandemException.invalid(null, "bad stop sequence")).kind());
    assertEquals(
        ErrorKind.UNAVAILABLE,
        ErrorMapping.classifyAccepted(new VerifierException(Kind.UNAVAILABLE, "down")).kind());
  }

  @Test
  void lostOrOutOfStepSessionsAreUnavailableAndRefusedContentIsInvalid() {
    for (Kind kind : Kind.values()) {
      TandemException e = ErrorMapping.classify(new VerifierException(kind, "what happened"));
      assertNotEquals(ErrorKind.INTERNAL, e.kind(), kind.name());
      ErrorKind expected =
          switch (kind) {
            case CAPACITY -> ErrorKind.RESOURCE_EXHAUSTED;
            case INVALID_REQUEST -> ErrorKind.INVALID_ARGUMENT;
            case UNAVAILABLE, POSITION_MISMATCH, MODEL_NOT_FOUND -> ErrorKind.UNAVAILABLE;
          };
      assertEquals(expected, e.kind(), kind.name());
      assertTrue(e.getMessage().contains("what happened"), e.getMessage());
    }
    assertEquals(503, ErrorMapping.httpStatus(ErrorKind.UNAVAILABLE));
  }
}
