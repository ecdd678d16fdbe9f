package dev.tandem.speccore;

import java.util.Arrays;

/**
 * The draft tokens proposed for one speculation step, with the draft distribution q each was drawn
 * from. The verifier needs q for exact stochastic acceptance; greedy drafters pass point masses
 * ({@link #greedy(int[])}). An empty block is a plain decoding step.
 *
 * <p>Immutable once built: the constructor copies nothing, so callers must not modify the arrays
 * they pass in.
 *
 * @param tokens draft token ids, each {@code >= 0}; length 0..{@link #MAX_DRAFT}
 * @param probs {@code probs[i]} is the draft distribution q that {@code tokens[i]} was drawn from;
 *     same length as {@code tokens}; it must give {@code tokens[i]} a positive probability (a token
 *     cannot be drawn from a distribution that excludes it, and acceptance divides by q)
 */
public record DraftBlock(int[] tokens, SparseDistribution[] probs) {

  /** Longest draft a block may carry. */
  public static final int MAX_DRAFT = 16;

  /**
   * Checks a draft length (a k, or a largest k) named {@code name}: 0..{@link #MAX_DRAFT}.
   *
   * @return {@code k}
   */
  public static int requireLength(String name, int k) {
    if (k < 0 || k > MAX_DRAFT) {
      throw new IllegalArgumentException(name + " must be in 0.." + MAX_DRAFT + ", got " + k);
    }
    return k;
  }

  private static final DraftBlock EMPTY = new DraftBlock(new int[0], new SparseDistribution[0]);

  public DraftBlock {
    if (tokens == null) {
      throw new IllegalArgumentException("tokens must not be null");
    }
    if (probs == null) {
      throw new IllegalArgumentException("probs must not be null");
    }
    if (tokens.length > MAX_DRAFT) {
      throw new IllegalArgumentException(
          "tokens must hold at most " + MAX_DRAFT + " draft tokens, got " + tokens.length);
    }
    if (probs.length != tokens.length) {
      throw new IllegalArgumentException(
          "probs must have one distribution per token: tokens.length = "
              + tokens.length
              + ", probs.length = "
              + probs.length);
    }
    for (int i = 0; i < tokens.length; i++) {
      requireToken(tokens, i);
      if (probs[i] == null) {
        throw new IllegalArgumentException("probs[" + i + "] must not be null");
      }
      if (!(probs[i].prob(tokens[i]) > 0f)) {
        throw new IllegalArgumentException(
            "probs["
                + i
                + "] must give tokens["
                + i
                + "] = "
                + tokens[i]
                + " a positive probability");
      }
    }
  }

  /** The empty block: a plain decoding step (k = 0). */
  public static DraftBlock empty() {
    return EMPTY;
  }

  /** A block from a greedy drafter: each token with a point-mass distribution. */
  public static DraftBlock greedy(int[] tokens) {
    SparseDistribution[] probs = new SparseDistribution[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      requireToken(tokens, i);
      probs[i] = SparseDistribution.pointMass(tokens[i]);
    }
    return new DraftBlock(tokens, probs);
  }

  private static void requireToken(int[] tokens, int i) {
    if (tokens[i] < 0) {
      throw new IllegalArgumentException("tokens[" + i + "] must be >= 0, got " + tokens[i]);
    }
  }

  /** Number of draft tokens, k. */
  public int size() {
    return tokens.length;
  }

  /** True for a plain decoding step. */
  public boolean isEmpty() {
    return tokens.length == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DraftBlock other
        && Arrays.equals(tokens, other.tokens)
        && Arrays.equals(probs, other.probs);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(probs);
  }

  @Override
  public String toString() {
    return "DraftBlock" + Arrays.toString(tokens);
  }
}
