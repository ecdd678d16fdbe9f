package dev.tandem.model.kernel.nd4j;

import dev.tandem.model.kernel.Weight;
import java.lang.foreign.MemorySegment;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A weight as a float32 ND4J array: on the CPU an F32 tensor is the memory-mapped file itself
 * (zero-copy), F16/BF16 tensors are widened once at load (ND4J's half-precision matmul on the CPU
 * is 15–300× slower than float32 and accumulates in low precision).
 *
 * @param matrix {@code [rows, cols]} c-order float32 (a 1-D weight is {@code [1, cols]})
 * @param host the same floats as a segment (CPU only, native order), for the fused host loops; null
 *     on CUDA
 */
record Nd4jWeight(String name, int rows, int cols, INDArray matrix, MemorySegment host)
    implements Weight {}
