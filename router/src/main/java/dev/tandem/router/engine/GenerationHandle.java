package dev.tandem.router.engine;

import io.vertx.core.Future;

/**
 * A running generation. Its chunks go to the {@link dev.tandem.streaming.ChunkWriter} given at
 * start; this handle reports the end and lets the transport stop it.
 *
 * <p>Threading: called on the request's Vert.x context.
 */
public interface GenerationHandle {

  /**
   * Completes when generation ends normally, with the text still held back (to send with the last
   * chunk) and the result; fails with a {@link dev.tandem.router.errors.TandemException}
   * (CANCELLED, DEADLINE_EXCEEDED, ...) otherwise. Either way every session and reservation the
   * generation held has been released when it completes.
   */
  Future<Completion> completion();

  /** The model that serves this generation (known once it started). */
  String model();

  /** The client cancelled or went away: stop within one speculation step. */
  void cancel();

  /** The request's deadline passed: stop within one step and fail with DEADLINE_EXCEEDED. */
  void deadlineExceeded();

  /** What a finished generation still has to send. */
  record Completion(String tailText, GenerationResult result) {}
}
