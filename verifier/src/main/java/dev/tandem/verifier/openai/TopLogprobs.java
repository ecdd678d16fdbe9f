package dev.tandem.verifier.openai;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The most probable tokens of one position's distribution as a server returned them, best first:
 * {@code tokens[0]} is the server's argmax. Only the top N survive, so an extra "actual token" the
 * server adds for a prompt position is dropped unless it is among them.
 *
 * @param tokens token ids, distinct, best first; at least one
 * @param logprobs their log-probabilities under the model's full distribution
 */
record TopLogprobs(int[] tokens, float[] logprobs) {

  /**
   * One entry of a server's logprobs map.
   *
   * @param rank 1 for the argmax, as vLLM reports it; {@link Integer#MAX_VALUE} when not reported
   */
  record Candidate(int token, float logprob, int rank) {}

  /** Best first: by rank when reported, else by logprob; the lower token id on ties. */
  private static final Comparator<Candidate> BEST_FIRST =
      Comparator.comparingInt(Candidate::rank)
          .thenComparing(Candidate::logprob, Comparator.reverseOrder())
          .thenComparingInt(Candidate::token);

  TopLogprobs {
    if (tokens.length == 0 || tokens.length != logprobs.length) {
      throw new IllegalArgumentException(
          "need at least one token and one logprob per token, got "
              + tokens.length
              + " tokens and "
              + logprobs.length
              + " logprobs");
    }
  }

  /**
   * The best {@code topN} of {@code candidates} (which must be non-empty, with distinct tokens).
   */
  static TopLogprobs best(List<Candidate> candidates, int topN) {
    Candidate[] sorted = candidates.toArray(Candidate[]::new);
    Arrays.sort(sorted, BEST_FIRST);
    int n = Math.min(topN, sorted.length);
    int[] tokens = new int[n];
    float[] logprobs = new float[n];
    for (int i = 0; i < n; i++) {
      tokens[i] = sorted[i].token();
      logprobs[i] = sorted[i].logprob();
    }
    return new TopLogprobs(tokens, logprobs);
  }

  /** The server's argmax. */
  int best() {
    return tokens[0];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopLogprobs other
        && Arrays.equals(tokens, other.tokens)
        && Arrays.equals(logprobs, other.logprobs);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(logprobs);
  }

  @Override
  public String toString() {
    return "TopLogprobs" + Arrays.toString(tokens) + "=" + Arrays.toString(logprobs);
  }
}
