package dev.tandem.speccore;

/**
 * The verifier's answer to one {@link DraftBlock}: how many draft tokens it kept, and the one token
 * it chose after them (the correction at the first rejected position, or the bonus token after a
 * full accept). A step therefore always emits {@code acceptedCount + 1} tokens.
 *
 * @param acceptedCount number of leading draft tokens accepted, {@code >= 0} (and at most the
 *     block's size, which the caller checks since the verdict does not know the block)
 * @param nextToken the verifier's token after the accepted prefix, {@code >= 0}
 */
public record Verdict(int acceptedCount, int nextToken) {

  public Verdict {
    if (acceptedCount < 0) {
      throw new IllegalArgumentException("acceptedCount must be >= 0, got " + acceptedCount);
    }
    if (nextToken < 0) {
      throw new IllegalArgumentException("nextToken must be >= 0, got " + nextToken);
    }
  }

  /** Number of tokens this verdict adds to the sequence: the accepted prefix plus next token. */
  public int emittedCount() {
    return acceptedCount + 1;
  }
}
