package dev.tandem.verifier.server;

import dev.tandem.speccore.VerifierException;

/**
 * An Open naming a model this server does not host. Kind {@link
 * VerifierException.Kind#MODEL_NOT_FOUND} (NOT_FOUND).
 */
public final class ModelNotFoundException extends VerifierException {
  public ModelNotFoundException(String message) {
    super(Kind.MODEL_NOT_FOUND, message);
  }
}
