package dev.tandem.verifier.engine;

import dev.tandem.speccore.VerifierException;

/**
 * A call on a session that is closed (by its owner, the idle reaper, or the engine shutting down)
 * or was never opened. The caller and the verifier disagree about the session, so it has the kind
 * {@link VerifierException.Kind#POSITION_MISMATCH} (FAILED_PRECONDITION): the caller replaces the
 * session.
 */
public final class SessionClosedException extends VerifierException {
  public SessionClosedException(String message) {
    super(Kind.POSITION_MISMATCH, message);
  }
}
