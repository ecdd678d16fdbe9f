package dev.tandem.model;

/**
 * One sequence's part of a batched forward ({@link Model#forwardBatch}): the tokens to append and
 * whether logits are wanted for every appended position or only the last.
 *
 * @param sequence where the tokens go; must belong to the model that runs the batch
 * @param tokens at least one token id
 * @param allLogits true: logits for every token (block scoring); false: only the last (prefill)
 */
public record SequenceInput(Sequence sequence, int[] tokens, boolean allLogits) {
  public SequenceInput {
    if (sequence == null) {
      throw new IllegalArgumentException("sequence must not be null");
    }
    if (tokens == null || tokens.length == 0) {
      throw new IllegalArgumentException("tokens must hold at least one token");
    }
  }

  /** Logits for every token. */
  public static SequenceInput all(Sequence sequence, int... tokens) {
    return new SequenceInput(sequence, tokens, true);
  }

  /** Number of logits rows this input yields. */
  public int logitsRows() {
    return allLogits ? tokens.length : 1;
  }
}
