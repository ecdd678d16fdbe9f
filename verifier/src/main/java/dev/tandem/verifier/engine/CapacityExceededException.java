package dev.tandem.verifier.engine;

/**
 * An open refused because a limit of the engine is reached; the message names the limit, its value
 * and what the request needed. Maps to RESOURCE_EXHAUSTED.
 */
public final class CapacityExceededException extends RuntimeException {
  public CapacityExceededException(String message) {
    super(message);
  }
}
