package dev.tandem.verifier.engine;

/**
 * A verify whose position or last token is not what the session holds. Never resynced silently: the
 * caller and the verifier disagree about the sequence, so the session's output could no longer be
 * exact. Maps to FAILED_PRECONDITION.
 */
public final class PositionMismatchException extends RuntimeException {
  public PositionMismatchException(String message) {
    super(message);
  }
}
