package dev.tandem.model.kernel;

/**
 * A backend-owned float32 matrix of activations, {@code [rowCapacity, cols]}, row-major. The
 * forward pass allocates these once per workspace (see {@link Kernels#buffer}) and passes a row
 * count to every operation: only rows {@code [0, rows)} (or the stated row range) are read or
 * written, the rest keep whatever they held.
 *
 * <p>Not thread-safe: a buffer belongs to one forward pass at a time.
 */
public interface ActivationBuffer {

  /** Maximum number of rows. */
  int rowCapacity();

  /** Number of columns (floats per row). */
  int cols();
}
