package dev.tandem.verifier.server;

/** An Open naming a model this server does not host. Maps to NOT_FOUND. */
public final class ModelNotFoundException extends RuntimeException {
  public ModelNotFoundException(String message) {
    super(message);
  }
}
