package dev.tandem.verifier.engine;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One session's part of a batch: tokens to append to its sequence, and what to make of the logits
 * rows they yield (a prefill choosing the first token, or a verify accepting a draft).
 *
 * <p>Threading: created on the caller's thread; {@link #compute} and {@link #complete} run on the
 * model's thread after the batch's forward, in that order.
 */
final class Work<T> {

  final EngineSession session;
  final ScoringModel.Input input;
  final long enqueuedNanos;
  final CompletableFuture<T> future = new CompletableFuture<>();
  private final Function<float[][], T> interpret;
  private T result;
  private Throwable error;

  Work(
      EngineSession session,
      int[] tokens,
      boolean allLogits,
      long enqueuedNanos,
      Function<float[][], T> interpret) {
    this.session = session;
    this.input = new ScoringModel.Input(session.sequence, tokens, allLogits);
    this.enqueuedNanos = enqueuedNanos;
    this.interpret = interpret;
  }

  int rows() {
    return input.tokens().length;
  }

  /** Interprets the logits (sampling, acceptance, KV rollback); errors are kept for complete. */
  void compute(float[][] logits) {
    try {
      result = interpret.apply(logits);
    } catch (RuntimeException e) {
      error = e;
    }
  }

  /** Records a failure of the forward itself. */
  void failWith(Throwable cause) {
    error = cause;
  }

  boolean failed() {
    return error != null;
  }

  /** Hands the result or the error to the caller. */
  void complete() {
    if (error != null) {
      future.completeExceptionally(error);
    } else {
      future.complete(result);
    }
  }
}
