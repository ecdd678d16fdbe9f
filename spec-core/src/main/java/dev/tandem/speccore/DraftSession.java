package dev.tandem.speccore;

import java.util.concurrent.CompletionStage;

/**
 * One sequence's drafting state. Context = prompt + every token committed so far.
 *
 * <p>Threading: called by one request's loop, never concurrently: at most one {@link #propose} is
 * outstanding, and {@link #commit} and {@link #close} are only called after it completed. The calls
 * may come from different threads one after the other (the loop runs on whichever thread completed
 * its last stage), so implementations must not rely on thread confinement, only on this
 * happens-before ordering.
 */
public interface DraftSession extends AutoCloseable {

  /**
   * Completes when the session has processed its prompt (a model drafter's prefill). The caller
   * starts the loop after it, so that the first step's measured draft time is one draft's, not the
   * prefill's. Drafters without a prefill return a completed stage (the default).
   */
  default CompletionStage<Void> ready() {
    return java.util.concurrent.CompletableFuture.completedFuture(null);
  }

  /**
   * Proposes up to {@code k} tokens continuing the context. Fewer are allowed (e.g. an n-gram
   * drafter with no match returns an empty block); more is an error.
   *
   * @param k requested draft length, 1..{@link DraftBlock#MAX_DRAFT}
   */
  CompletionStage<DraftBlock> propose(int k);

  /**
   * The time the last completed {@link #propose} spent drafting its tokens, in nanoseconds: the
   * drafter's own work for them, without waiting for its thread (behind other requests' work) and
   * without absorbing the tokens committed since the proposal before (a catch-up after plain
   * steps). {@code -1} (the default) when the session does not measure it; the loop then takes the
   * whole draft stage. The policy's latency model prices a draft token with this; the rest of the
   * stage is a drafting step's overhead ({@link StepCosts}).
   *
   * <p>Read by the loop after the proposal's stage completed.
   */
  default long lastDraftingNanos() {
    return -1;
  }

  /**
   * Advances the context by the first {@code keptDraftTokens} tokens of the last proposal followed
   * by {@code nextToken}; the rest of the last proposal is discarded (roll back any state it
   * built). {@code keptDraftTokens} is 0 when there was no proposal, e.g. for the first token.
   */
  void commit(int keptDraftTokens, int nextToken);

  /** Frees the session's resources. Called exactly once by the loop. */
  @Override
  void close();
}
