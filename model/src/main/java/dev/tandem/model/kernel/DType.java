package dev.tandem.model.kernel;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Element types of weight tensors. F32, F16 and BF16 are safetensors' element types; Q8_0 and Q4_0
 * are GGUF's block-quantized types, byte for byte as ggml lays them out (see {@code
 * dev.tandem.model.quant.BlockQuant}): a tensor row of {@code cols} values is {@code cols / 32}
 * blocks, each a float16 scale followed by the quantized values. Compute is always float32.
 */
public enum DType {
  F32(1, 4),
  F16(1, 2),
  BF16(1, 2),
  /** 32 values per block: float16 scale d, then 32 int8 q; value = d * q (34 bytes). */
  Q8_0(32, 34),
  /**
   * 32 values per block: float16 scale d, then 16 bytes; byte j holds value j in its low nibble and
   * value j + 16 in its high nibble; value = d * (nibble - 8) (18 bytes).
   */
  Q4_0(32, 18);

  private final int blockSize;
  private final int blockBytes;

  DType(int blockSize, int blockBytes) {
    this.blockSize = blockSize;
    this.blockBytes = blockBytes;
  }

  /** Values per block: 1 for element types, 32 for the quantized ones. */
  public int blockSize() {
    return blockSize;
  }

  /** Bytes per block (per element for element types). */
  public int blockBytes() {
    return blockBytes;
  }

  /** Whether values are stored in quantized blocks rather than one by one. */
  public boolean quantized() {
    return blockSize > 1;
  }

  /**
   * Bytes per element of an element type.
   *
   * @throws IllegalStateException for a block-quantized type (use {@link #byteSize})
   */
  public int bytes() {
    if (quantized()) {
      throw new IllegalStateException(this + " has no per-element size: it is block-quantized");
    }
    return blockBytes;
  }

  /**
   * Bytes taken by a row-major tensor of this type whose last dimension is {@code cols}.
   *
   * @throws IllegalArgumentException when {@code cols} is not a whole number of blocks
   */
  public long byteSize(long numel, long cols) {
    if (cols % blockSize != 0) {
      throw new IllegalArgumentException(
          this + " needs rows of a multiple of " + blockSize + " values, got " + cols);
    }
    return numel / blockSize * blockBytes;
  }

  /**
   * The element type with safetensors name {@code name} (safetensors has no quantized types).
   *
   * @param where what is being read, for the error message (e.g. "model.safetensors tensor x")
   * @throws IllegalArgumentException naming the allowed values when {@code name} is not supported
   */
  public static DType fromSafetensors(String name, String where) {
    for (DType t : values()) {
      if (!t.quantized() && t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        where
            + ": unsupported dtype "
            + name
            + ", allowed: "
            + Arrays.stream(values())
                .filter(t -> !t.quantized())
                .map(Enum::name)
                .collect(Collectors.joining(", ")));
  }
}
