package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.Weight;
import java.lang.foreign.MemorySegment;

/**
 * A weight read by the Vector API kernels straight from off-heap memory: either the memory-mapped
 * file (F32, Q8_0, Q4_0 and, by default, BF16), the arena of quantize-at-load (Q8_0, Q4_0) or an
 * off-heap float32 copy made at load (F16, and BF16 when widening at load was chosen).
 *
 * @param data little-endian, row-major {@code [rows, cols]} of {@code dtype} (F32, BF16, Q8_0 or
 *     Q4_0 blocks; never F16)
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
