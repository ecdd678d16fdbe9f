package dev.tandem.verifier.openai;

/**
 * An OpenAI-compatible server answered, but not with what the verifier needs: an HTTP error status,
 * a body that is not the expected JSON, or logprobs missing or the wrong shape. The message names
 * the endpoint and what was wrong.
 */
public final class BackendResponseException extends RuntimeException {

  private final int httpStatus;

  /**
   * @param httpStatus the response's status code
   */
  public BackendResponseException(int httpStatus, String message) {
    super(message);
    this.httpStatus = httpStatus;
  }

  public BackendResponseException(int httpStatus, String message, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
  }

  /** The HTTP status of the response (200 when the body was the problem). */
  public int httpStatus() {
    return httpStatus;
  }
}
