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
   * Completes (never fails) once with how the stream ends: {@link StreamEnd.Finished} or {@link
   * StreamEnd.Failed} (CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE, ...). Every session and
   * reservation the generation held has been released when it completes.
   */
  Future<StreamEnd> completion();

  /** The model that serves this generation (known once it started). */
  String model();

  /** The client cancelled or went away: stop within one speculation step. */
  void cancel();

  /** The request's deadline passed: stop within one step and fail with DEADLINE_EXCEEDED. */
  void deadlineExceeded();
}
