package dev.tandem.model;

import dev.tandem.model.kernel.Kernels;
import dev.tandem.model.kernel.vector.VectorKernels;
import java.util.Locale;

/**
 * Which {@link Kernels} implementation runs a model. {@code auto} picks {@code vector} on the CPU:
 * it measured faster than ND4J for decoding (see BENCHMARKS.md, "Model runtime").
 */
public enum Backend {
  AUTO,
  VECTOR,
  ND4J;

  /** Class of the ND4J backend, loaded reflectively so that this module builds without it. */
  static final String ND4J_CLASS = "dev.tandem.model.kernel.nd4j.Nd4jKernels";

  /**
   * Parses a config value.
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static Backend parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "backend must be one of auto, vector, nd4j, got " + value, e);
    }
  }

  /** Creates the kernels this backend stands for. */
  Kernels create(ModelOptions options) {
    return switch (this) {
      case AUTO, VECTOR -> new VectorKernels(options.widenBf16AtLoad());
      case ND4J -> nd4j();
    };
  }

  private static Kernels nd4j() {
    try {
      return (Kernels) Class.forName(ND4J_CLASS).getConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalStateException("backend nd4j is not available: " + e, e);
    }
  }
}
