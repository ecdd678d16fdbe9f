package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.Weight;
import java.lang.foreign.MemorySegment;

/**
 * A weight read by the Vector API kernels straight from off-heap memory: either the memory-mapped
 * file (F32 and, by default, BF16) or an off-heap float32 copy made at load (F16, and BF16 when
 * widening at load was chosen).
 *
 * @param data little-endian, row-major {@code [rows, cols]} of {@code dtype} (F32 or BF16 only)
 * @param floats for a 1-D weight (norm gains): its values widened on the heap; null otherwise
 */
record VectorWeight(
    String name, DType dtype, int rows, int cols, MemorySegment data, float[] floats)
    implements Weight {

  VectorWeight {
    if (dtype == DType.F16 && floats == null) {
      throw new IllegalArgumentException("F16 weights are widened to F32 at load: " + name);
    }
  }
}
