package dev.tandem.verifier.client;

/**
 * A remote verifier server ended a session with an error status (e.g. RESOURCE_EXHAUSTED when its
 * session limit is reached, FAILED_PRECONDITION for a position mismatch).
 */
public final class VerifierCallException extends RuntimeException {

  private final String status;

  /**
   * @param status the gRPC status name, e.g. {@code RESOURCE_EXHAUSTED}
   */
  public VerifierCallException(String status, String message) {
    super(status + ": " + message);
    this.status = status;
  }

  /** The gRPC status name the server sent. */
  public String status() {
    return status;
  }
}
