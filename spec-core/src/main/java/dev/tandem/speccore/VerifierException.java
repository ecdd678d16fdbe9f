package dev.tandem.speccore;

import java.time.Duration;
import java.util.Optional;

/**
 * A verifier backend failed in a way its callers must tell apart: the one set of verifier error
 * kinds, mapped to gRPC statuses by the verifier server and to client-facing statuses by the
 * router, both from {@link #kind()}. Messages say what was wrong and name the endpoint or limit.
 */
public class VerifierException extends RuntimeException {

  /** What went wrong, as far as what the caller should do next. */
  public enum Kind {
    /**
     * A limit of the verifier is reached (sessions, KV positions): another endpoint may have room,
     * or the same one later. Clients see RESOURCE_EXHAUSTED / 429 with a retry hint.
     */
    CAPACITY,
    /**
     * The verifier could not be reached, went away, did not answer within the call timeout, is
     * draining, or lost the session: the session can be reopened elsewhere at the same position.
     */
    UNAVAILABLE,
    /**
     * Caller and verifier disagree about the sequence (position or last token). Never resynced
     * silently: the session is replaced by one opened at the caller's position.
     */
    POSITION_MISMATCH,
    /** The verifier refused the request's content (a token outside its vocabulary, a length). */
    INVALID_REQUEST,
    /** The endpoint does not host the requested model (a deployment mistake, not the client's). */
    MODEL_NOT_FOUND
  }

  private final Kind kind;
  private final Duration retryAfter;

  public VerifierException(Kind kind, String message) {
    this(kind, message, null, null);
  }

  public VerifierException(Kind kind, String message, Throwable cause) {
    this(kind, message, null, cause);
  }

  /**
   * @param retryAfter how long the caller should wait before trying this verifier again; null when
   *     unknown
   */
  public VerifierException(Kind kind, String message, Duration retryAfter, Throwable cause) {
    super(message, cause);
    if (kind == null) {
      throw new IllegalArgumentException("kind must not be null");
    }
    if (retryAfter != null && retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must be >= 0, got " + retryAfter);
    }
    this.kind = kind;
    this.retryAfter = retryAfter;
  }

  public Kind kind() {
    return kind;
  }

  /** How long to wait before trying again, when the verifier said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /**
   * True when a fresh session on another endpoint (or the same one, reopened) can continue the
   * sequence exactly: the failure says nothing about the request itself.
   */
  public boolean replaceable() {
    return switch (kind) {
      case UNAVAILABLE, POSITION_MISMATCH, MODEL_NOT_FOUND, CAPACITY -> true;
      case INVALID_REQUEST -> false;
    };
  }
}
