package dev.tandem.verifier.engine;

/**
 * A call on a session that is closed (by its owner, the idle reaper, or the engine shutting down)
 * or was never opened. Maps to FAILED_PRECONDITION.
 */
public final class SessionClosedException extends RuntimeException {
  public SessionClosedException(String message) {
    super(message);
  }
}
