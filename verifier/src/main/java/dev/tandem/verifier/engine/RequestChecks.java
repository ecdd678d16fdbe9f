package dev.tandem.verifier.engine;

import dev.tandem.speccore.DraftBlock;

/**
 * Validates session calls against a model's vocabulary and context length; a bad call gives an
 * {@link IllegalArgumentException} naming the field and what is allowed.
 *
 * <p>Stateless apart from the model's sizes; thread-safe.
 */
final class RequestChecks {

  private final int vocab;
  private final int context;

  RequestChecks(int vocab, int context) {
    this.vocab = vocab;
    this.context = context;
  }

  /**
   * Checks an open; returns the sequence capacity to reserve: max length plus {@link
   * DraftBlock#MAX_DRAFT} positions of slack for a last draft, within the context length.
   */
  int openCapacity(int[] prompt, int maxLength) {
    if (prompt == null || prompt.length == 0) {
      throw new IllegalArgumentException("prompt_tokens must hold at least one token, got none");
    }
    checkTokens("prompt_tokens", prompt);
    int length = maxLength == 0 ? context : maxLength;
    if (length <= prompt.length || length > context) {
      throw new IllegalArgumentException(
          "max_length must be in "
              + (prompt.length + 1)
              + ".."
              + context
              + " (prompt length + 1 .. the model's context length), got "
              + maxLength);
    }
    return Math.min(length + DraftBlock.MAX_DRAFT, context);
  }

  /** Checks a verify's tokens and capacity; returns {@code [lastToken, d1..dk]}. */
  int[] verifyTokens(EngineSession session, int position, int lastToken, DraftBlock draft) {
    if (draft == null) {
      throw new IllegalArgumentException("draft must not be null");
    }
    int[] tokens = new int[draft.size() + 1];
    tokens[0] = lastToken;
    System.arraycopy(draft.tokens(), 0, tokens, 1, draft.size());
    checkTokens("draft_tokens", tokens);
    int capacity = session.sequence.capacity();
    if (position + tokens.length > capacity) {
      throw new IllegalArgumentException(
          "a verify at position "
              + position
              + " with "
              + draft.size()
              + " draft tokens needs "
              + (position + tokens.length)
              + " positions; the session holds at most "
              + capacity);
    }
    return tokens;
  }

  void checkTokens(String field, int[] tokens) {
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] < 0 || tokens[i] >= vocab) {
        throw new IllegalArgumentException(
            field + " must be token ids in 0.." + (vocab - 1) + ", got " + tokens[i]);
      }
    }
  }
}
