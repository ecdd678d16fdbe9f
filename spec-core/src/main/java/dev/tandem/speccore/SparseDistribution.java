package dev.tandem.speccore;

import java.util.Arrays;

/**
 * A probability distribution over token ids that lists only its support: tokens not listed have
 * probability 0. Used for draft probabilities q, which cross the network and so are kept small (a
 * sampler after top-k/top-p truncation has a small support).
 *
 * <p>Immutable once built: the constructor copies nothing, so callers must not modify the arrays
 * they pass in.
 *
 * @param tokens distinct, non-negative token ids
 * @param probs probabilities of {@code tokens}, each in [0, 1], summing to 1 within {@link
 *     #SUM_TOLERANCE}
 */
public record SparseDistribution(int[] tokens, float[] probs) {

  /** Allowed deviation of the sum of probabilities from 1. */
  public static final double SUM_TOLERANCE = 1e-3;

  public SparseDistribution {
    if (tokens == null || probs == null) {
      throw new IllegalArgumentException("tokens and probs must not be null");
    }
    if (tokens.length != probs.length) {
      throw new IllegalArgumentException(
          "tokens and probs must have the same length, got "
              + tokens.length
              + " tokens and "
              + probs.length
              + " probs");
    }
    if (tokens.length == 0) {
      throw new IllegalArgumentException("a distribution needs at least one token, got none");
    }
    double sum = 0;
    for (int i = 0; i < probs.length; i++) {
      if (tokens[i] < 0) {
        throw new IllegalArgumentException("tokens[" + i + "] must be >= 0, got " + tokens[i]);
      }
      if (!(probs[i] >= 0f && probs[i] <= 1f)) {
        throw new IllegalArgumentException("probs[" + i + "] must be in [0, 1], got " + probs[i]);
      }
      sum += probs[i];
    }
    if (Math.abs(sum - 1.0) > SUM_TOLERANCE) {
      throw new IllegalArgumentException(
          "probs must sum to 1 within " + SUM_TOLERANCE + ", got " + sum);
    }
    int[] sorted = tokens.clone();
    Arrays.sort(sorted);
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] == sorted[i - 1]) {
        throw new IllegalArgumentException("tokens must be distinct, got " + sorted[i] + " twice");
      }
    }
  }

  /** The distribution that puts all mass on one token (what a greedy drafter proposes). */
  public static SparseDistribution pointMass(int token) {
    return new SparseDistribution(new int[] {token}, new float[] {1f});
  }

  /** Probability of {@code token}; 0 when it is outside the support. */
  public float prob(int token) {
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] == token) {
        return probs[i];
      }
    }
    return 0f;
  }

  /** Number of tokens in the support. */
  public int size() {
    return tokens.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SparseDistribution other
        && Arrays.equals(tokens, other.tokens)
        && Arrays.equals(probs, other.probs);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(probs);
  }

  @Override
  public String toString() {
    return "SparseDistribution" + Arrays.toString(tokens) + "=" + Arrays.toString(probs);
  }
}
