package dev.tandem.verifier.client;

/**
 * A remote verifier server could not be reached, went away mid-session, or did not answer in time;
 * or no healthy server was left to open a session on. The message names the endpoint. Maps to
 * UNAVAILABLE.
 */
public final class VerifierUnavailableException extends RuntimeException {
  public VerifierUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
