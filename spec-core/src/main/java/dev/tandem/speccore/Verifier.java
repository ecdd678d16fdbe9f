package dev.tandem.speccore;

import java.util.concurrent.CompletionStage;

/**
 * The model whose output Tandem reproduces exactly: it scores draft blocks and accepts a prefix.
 * One verifier serves many requests; each request verifies through its own {@link VerifierSession}
 * (one KV cache).
 *
 * <p>Threading: {@link #open} may be called from any thread, concurrently for different requests;
 * implementations must be thread-safe and must not block the caller (do the prefill elsewhere and
 * complete the stage later).
 */
public interface Verifier {

  /** Stable name used in logs, metrics labels and acceptance statistics, e.g. the model id. */
  String name();

  /**
   * Prefills the prompt and chooses the first token.
   *
   * @param promptTokens the prompt's token ids
   * @param params the request's sampling parameters (the session owns the random generator, seeded
   *     from {@link SamplingParams#seed()})
   * @param maxLength the longest sequence (prompt + generated) the session must hold
   */
  CompletionStage<VerifierSession> open(int[] promptTokens, SamplingParams params, int maxLength);

  /**
   * True when this verifier computes in this process and its sessions' stages complete on its own
   * compute thread (a model thread), where a caller may run the rest of a step directly: the next
   * step's call then only queues behind the work in progress instead of waking another thread. A
   * remote verifier completes on a network thread that serves other work and returns false (the
   * default).
   */
  default boolean isLocal() {
    return false;
  }

  /**
   * True when this verifier's scoring is throughput-bound right now, as it reports it: its compute
   * is shared with other sessions and every scored position costs it throughput (a CPU server
   * batching several streams), so a longer draft slows other requests down. Draft-length policies
   * then price k by its marginal work. Default false (not known). Any thread.
   */
  default boolean throughputBound() {
    return false;
  }

  /**
   * While {@link #throughputBound}: what one call costs this verifier's throughput beyond the
   * positions it scores, in scored positions at their marginal cost (the server's per-call work
   * that competes with its forwards, and its share of a forward's fixed time, as it measures and
   * reports them). Default 0 (not known: a call's fixed cost is taken to be shared by the batch).
   * Any thread.
   */
  default double callCostPositions() {
    return 0;
  }

  /**
   * What one more scored position of a session adds to the verifies of the other sessions waiting
   * on the same forward, in nanoseconds (a batching server's marginal forward time per row times
   * the calls that wait for the forward, batch-mates and queued, as it measures and reports it).
   * Draft-length policies add it to the price of each position, so that a stream does not draft
   * long at every other stream's expense. Default 0 (not known, or nothing shared). Any thread.
   */
  default double positionCostToOthersNanos() {
    return 0;
  }
}
