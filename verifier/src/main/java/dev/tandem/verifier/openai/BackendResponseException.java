package dev.tandem.verifier.openai;

import dev.tandem.speccore.VerifierException;

/**
 * An OpenAI-compatible server answered, but not with what the verifier needs: an HTTP error status,
 * a body that is not the expected JSON, or logprobs missing or the wrong shape. The message names
 * the endpoint and what was wrong. Its kind follows the status ({@link #kindOf(int)}).
 */
public final class BackendResponseException extends VerifierException {

  private final int httpStatus;

  /**
   * @param httpStatus the response's status code
   */
  public BackendResponseException(int httpStatus, String message) {
    this(httpStatus, message, null);
  }

  public BackendResponseException(int httpStatus, String message, Throwable cause) {
    super(kindOf(httpStatus), message, cause);
    this.httpStatus = httpStatus;
  }

  /**
   * 429 is CAPACITY, 404 MODEL_NOT_FOUND, 400/413/422 INVALID_REQUEST (the backend refused this
   * request's content); anything else (5xx, a malformed 200) is UNAVAILABLE: the backend
   * misbehaves, another base URL may not.
   */
  static Kind kindOf(int httpStatus) {
    return switch (httpStatus) {
      case 429 -> Kind.CAPACITY;
      case 404 -> Kind.MODEL_NOT_FOUND;
      case 400, 413, 422 -> Kind.INVALID_REQUEST;
      default -> Kind.UNAVAILABLE;
    };
  }

  /** The HTTP status of the response (200 when the body was the problem). */
  public int httpStatus() {
    return httpStatus;
  }
}
