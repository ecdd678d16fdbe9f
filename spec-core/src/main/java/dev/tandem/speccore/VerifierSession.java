package dev.tandem.speccore;

import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * One sequence on the verifier (one KV cache).
 *
 * <p>Threading: called by one request's loop, never concurrently: at most one {@link #verify} is
 * outstanding and {@link #close} is not called while it is, except that {@code close} may be called
 * by owners outside the loop to abort, which is why it must be idempotent and thread-safe.
 */
public interface VerifierSession extends AutoCloseable {

  /** The token chosen after the prompt when the session was opened. */
  int firstToken();

  /**
   * Scores {@code [last emitted token, draft...]} in one call and accepts a prefix of the draft
   * plus one token (with {@link AcceptanceSampler} semantics); the session's context then advances
   * by the accepted tokens and the next token, and any KV entries of rejected tokens are rolled
   * back. An empty draft is a plain decoding step.
   */
  CompletionStage<Verdict> verify(DraftBlock draft);

  /**
   * As {@link #verify(DraftBlock)}, telling {@code done} the verdict or the error instead of
   * returning a stage ({@code done} is called exactly once, on the thread that completed the
   * verify, or on this one when it completed at once). For a caller that waits for every verdict
   * with the same listener (the speculation loop): a session that wraps another, or completes on
   * another thread, can then pass verdicts on with listeners of its own that it reuses (one verify
   * is outstanding at a time) instead of a dependent future and listener per step; the router's
   * streams allocated about 90 bytes per step on them, 180 with metrics on.
   *
   * <p>Default: {@code verify(draft)}, handed over directly when it is already done ({@link
   * Stages#whenDone}). A session that implements this form can give the stage form as {@code
   * Stages.of(done -> verify(draft, done))}.
   */
  default void verify(DraftBlock draft, BiConsumer<? super Verdict, ? super Throwable> done) {
    Stages.whenDone(verify(draft), done);
  }

  /**
   * Where the session runs now, for metrics: a remote endpoint ({@code host:port}), or empty for a
   * local one. May change over the session's life (a session moved to another endpoint).
   */
  default String location() {
    return "";
  }

  /** Frees the session. Idempotent. */
  @Override
  void close();
}
