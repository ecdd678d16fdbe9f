package dev.tandem.model.kernel;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Element types of weight tensors as safetensors names them. Compute is always float32. */
public enum DType {
  F32(4),
  F16(2),
  BF16(2);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /**
   * The dtype with safetensors name {@code name}.
   *
   * @param where what is being read, for the error message (e.g. "model.safetensors tensor x")
   * @throws IllegalArgumentException naming the allowed values when {@code name} is not supported
   */
  public static DType fromSafetensors(String name, String where) {
    for (DType t : values()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        where
            + ": unsupported dtype "
            + name
            + ", allowed: "
            + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
  }
}
