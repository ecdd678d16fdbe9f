package dev.tandem.router.errors;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure with a meaning a client can act on. {@link ErrorMapping} is the one place that turns it
 * into a gRPC status or an HTTP status with an OpenAI-shaped error body; messages say what was
 * wrong and what is allowed ({@code max_tokens must be in 1..4096, got 0}).
 */
public class TandemException extends RuntimeException {

  private final ErrorKind kind;
  private final String param;
  private final Duration retryAfter;

  public TandemException(ErrorKind kind, String message) {
    this(kind, null, message, null);
  }

  public TandemException(ErrorKind kind, String param, String message, Throwable cause) {
    this(kind, param, message, null, cause);
  }

  /**
   * @param retryAfter when the client may try again (HTTP {@code Retry-After}, gRPC {@code
   *     grpc-retry-pushback-ms}); null when there is nothing to say
   */
  public TandemException(
      ErrorKind kind, String param, String message, Duration retryAfter, Throwable cause) {
    super(message, cause);
    if (kind == null) {
      throw new IllegalArgumentException("kind must not be null");
    }
    if (retryAfter != null && retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must be >= 0, got " + retryAfter);
    }
    this.kind = kind;
    this.param = param;
    this.retryAfter = retryAfter;
  }

  /** A request field that is out of range; the message must name the field and the range. */
  public static TandemException invalid(String param, String message) {
    return new TandemException(ErrorKind.INVALID_ARGUMENT, param, message, null);
  }

  public ErrorKind kind() {
    return kind;
  }

  /** The offending request field (OpenAI's {@code param}), or null. */
  public String param() {
    return param;
  }

  /** When the client may try again, if known. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
