package dev.tandem.verifier.engine;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the session engine needs from a model: sequences with a KV cache, and one forward pass over
 * several sequences at once. {@link ModelScoring} adapts the {@code model} module's runtime; the
 * port keeps the engine's batching and session logic readable apart from the numerics.
 *
 * <p>Threading: {@link #forward} may be called from any thread and never blocks the caller: the
 * pass runs on the model's own executor and the returned future completes there. At most {@link
 * #parallelForwards} forwards are outstanding at a time, never two over the same sequence (the
 * engine's scheduler guarantees both).
 */
public interface ScoringModel {

  /** Model id, used as the verifier's name in logs and metrics. */
  String name();

  /** Vocabulary size: every token id must be below it. */
  int vocabSize();

  /** Longest sequence the model supports (its position limit). */
  int contextLength();

  /** How many forwards over different sequences may run at once (the model's threads). */
  int parallelForwards();

  /**
   * Whether each scored position costs this model throughput: true on CPU backends (compute-bound,
   * a position costs about a decoded token), false on an accelerator where a batch scores a few
   * more positions nearly free.
   */
  default boolean positionsCostThroughput() {
    return true;
  }

  /** A fresh empty sequence able to hold {@code capacity} positions. */
  ScoringSequence newSequence(int capacity);

  /**
   * Appends each input's tokens to its sequence in one batched pass.
   *
   * @return per input, in order, its logits rows: {@code [tokens.length][vocab]} when {@code
   *     allLogits}, else {@code [1][vocab]} for the last token
   */
  CompletableFuture<List<float[][]>> forward(List<Input> inputs);

  /** One sequence's part of a batched forward. */
  record Input(ScoringSequence sequence, int[] tokens, boolean allLogits) {
    public Input {
      if (tokens.length == 0) {
        throw new IllegalArgumentException("an input needs at least one token");
      }
    }

    /** Logits rows this input yields. */
    public int rows() {
      return allLogits ? tokens.length : 1;
    }
  }
}
