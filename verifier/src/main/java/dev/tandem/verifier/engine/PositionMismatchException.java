package dev.tandem.verifier.engine;

import dev.tandem.speccore.VerifierException;

/**
 * A verify whose position or last token is not what the session holds. Never resynced silently: the
 * caller and the verifier disagree about the sequence, so the session's output could no longer be
 * exact. Kind {@link VerifierException.Kind#POSITION_MISMATCH} (FAILED_PRECONDITION).
 */
public final class PositionMismatchException extends VerifierException {
  public PositionMismatchException(String message) {
    super(Kind.POSITION_MISMATCH, message);
  }
}
