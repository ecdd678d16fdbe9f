package dev.tandem.verifier.openai;

/**
 * What one completions call says about a sequence {@code [context..., d1..dk]}.
 *
 * @param draftRows {@code [k]}: row i is the distribution of {@code d(i+1)} given everything before
 *     it (the prompt logprobs of the draft positions)
 * @param generatedRow the distribution after the whole sequence (the one the generated token was
 *     chosen from): the bonus row
 * @param generatedToken the token the server generated there (its argmax, since Tandem asks for
 *     temperature 0)
 */
record ScoredSequence(TopLogprobs[] draftRows, TopLogprobs generatedRow, int generatedToken) {

  /** The k + 1 rows acceptance needs: the draft rows, then the bonus row. */
  TopLogprobs[] targetRows() {
    TopLogprobs[] rows = java.util.Arrays.copyOf(draftRows, draftRows.length + 1);
    rows[draftRows.length] = generatedRow;
    return rows;
  }
}
