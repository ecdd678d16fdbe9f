package dev.tandem.speccore;

import java.util.concurrent.CompletionStage;

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
