package dev.tandem.speccore;

/**
 * A source of draft tokens (a small model, prompt lookup, or none). One proposer serves many
 * requests; each request drafts through its own {@link DraftSession}.
 *
 * <p>Threading: {@link #open} may be called from any thread, concurrently for different requests;
 * implementations must be thread-safe.
 */
public interface DraftProposer {

  /**
   * Stable name used in logs, metrics labels and acceptance statistics, e.g. {@code ngram(n=3)}.
   */
  String name();

  /**
   * Starts drafting for one sequence. The session's context is the prompt; the first generated
   * token arrives through {@link DraftSession#commit(int, int)} with {@code keptDraftTokens = 0}.
   *
   * @param promptTokens the prompt's token ids (not modified, not retained beyond the session)
   * @param params the request's sampling parameters; a stochastic drafter samples with them so its
   *     q is shaped like the verifier's p
   */
  DraftSession open(int[] promptTokens, SamplingParams params);

  /**
   * Like {@link #open}, for a request that is not expected to draft soon (its policy has been
   * choosing plain decoding): a drafter whose session does costly work up front (a model's prompt
   * prefill) may leave it to the first proposal, so that a request that decodes plain throughout
   * never pays it. Default: {@link #open}.
   */
  default DraftSession openLazily(int[] promptTokens, SamplingParams params) {
    return open(promptTokens, params);
  }

  /**
   * What one more draft token adds to the waits of other requests' proposals queued behind it on
   * the same drafter thread, in nanoseconds, as this drafter measures it. Draft-length policies add
   * it to a draft token's price, so that a stream does not draft long at the streams' expense that
   * wait for the drafter after it. Default 0 (nothing shared, or not measured). Any thread.
   */
  default double draftTokenCostToOthersNanos() {
    return 0;
  }
}
