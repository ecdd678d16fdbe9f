package dev.tandem.model.kernel;

/**
 * Backend-owned storage for one sequence's attention keys and values: for every layer, {@code
 * [capacity, kvDim]} keys and the same for values, where {@code kvDim = nKvHeads * headDim}.
 *
 * <p>The store has no notion of length: the owning sequence tracks how many positions are valid and
 * rolls back by lowering that number (positions past it are simply overwritten later). See {@link
 * Kernels#attention}.
 *
 * <p>Not thread-safe: a store belongs to one sequence, used by one forward pass at a time.
 */
public interface KvStore {

  /** Number of layers. */
  int layers();

  /** Maximum number of positions. */
  int capacity();

  /** Floats per position per layer, for keys and for values each ({@code nKvHeads * headDim}). */
  int kvDim();
}
