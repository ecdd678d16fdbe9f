package dev.tandem.model;

import dev.tandem.model.kernel.KvStore;

/**
 * One token sequence's state in a model: its KV cache and how many positions of it are valid.
 * Created by {@link Model#newSequence(int)} with a fixed capacity; {@link Model#forward} appends to
 * it; {@link #truncate(int)} rolls it back to any earlier length (speculative decoding discards
 * rejected draft tokens this way; the cache entries past the new length are simply overwritten by
 * the next forward).
 *
 * <p>Not thread-safe: one request owns a sequence and issues one forward at a time on it. Its
 * methods may be called from any thread while no forward on it is in flight.
 */
public final class Sequence {
  private final Model model;
  final KvStore kv;
  private int length;

  Sequence(Model model, KvStore kv) {
    this.model = model;
    this.kv = kv;
  }

  /** The model this sequence belongs to. */
  public Model model() {
    return model;
  }

  /** Number of positions in the cache (tokens forwarded so far, minus rollbacks). */
  public int length() {
    return length;
  }

  /** Maximum length. */
  public int capacity() {
    return kv.capacity();
  }

  /** Positions left. */
  public int remaining() {
    return kv.capacity() - length;
  }

  /**
   * Rolls back to {@code newLength} positions: the next forward continues at position {@code
   * newLength}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= newLength <= length()}
   */
  public void truncate(int newLength) {
    if (newLength < 0 || newLength > length) {
      throw new IllegalArgumentException(
          "truncate length must be in 0.." + length + ", got " + newLength);
    }
    length = newLength;
  }

  void advance(int count) {
    length += count;
  }
}
