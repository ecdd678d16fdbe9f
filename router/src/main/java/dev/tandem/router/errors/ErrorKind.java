package dev.tandem.router.errors;

/** What went wrong, in terms both gRPC and HTTP clients understand. */
public enum ErrorKind {
  /** The request is malformed or a field is out of range. */
  INVALID_ARGUMENT,
  /** No or an unknown API key. */
  UNAUTHENTICATED,
  /** The requested model (tier) does not exist. */
  NOT_FOUND,
  /** A budget, quota or capacity limit refuses the request. */
  RESOURCE_EXHAUSTED,
  /** The request's deadline passed. */
  DEADLINE_EXCEEDED,
  /** The client went away or cancelled. */
  CANCELLED,
  /** No backend can serve the request now; retrying later may work. */
  UNAVAILABLE,
  /** A bug or an unexpected failure inside Tandem. */
  INTERNAL
}
