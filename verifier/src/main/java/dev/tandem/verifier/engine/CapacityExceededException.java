package dev.tandem.verifier.engine;

import dev.tandem.speccore.VerifierException;

/**
 * An open refused because a limit of the engine is reached; the message names the limit, its value
 * and what the request needed. Kind {@link VerifierException.Kind#CAPACITY} (RESOURCE_EXHAUSTED).
 */
public final class CapacityExceededException extends VerifierException {
  public CapacityExceededException(String message) {
    super(Kind.CAPACITY, message);
  }
}
