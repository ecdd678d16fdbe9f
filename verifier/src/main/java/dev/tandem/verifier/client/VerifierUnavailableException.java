package dev.tandem.verifier.client;

import dev.tandem.speccore.VerifierException;

/**
 * A verifier could not be reached, went away mid-session, did not answer in time or is draining; or
 * no healthy endpoint was left to open a session on. The message names the endpoint. Kind {@link
 * VerifierException.Kind#UNAVAILABLE}.
 */
public final class VerifierUnavailableException extends VerifierException {
  public VerifierUnavailableException(String message, Throwable cause) {
    super(Kind.UNAVAILABLE, message, cause);
  }
}
