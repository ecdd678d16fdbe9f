package dev.tandem.verifier.engine;

/**
 * One sequence's KV cache in a {@link ScoringModel}.
 *
 * <p>Not thread-safe: the engine calls it only while no forward on it is in flight.
 */
public interface ScoringSequence {

  /** Positions held in the cache. */
  int length();

  /** Most positions the cache can hold. */
  int capacity();

  /** Rolls the cache back to {@code newLength} positions (0..length()). */
  void truncate(int newLength);
}
