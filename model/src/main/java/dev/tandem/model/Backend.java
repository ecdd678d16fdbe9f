package dev.tandem.model;

import dev.tandem.model.kernel.Kernels;
import dev.tandem.model.kernel.vector.VectorKernels;
import java.util.Locale;

/**
 * Which {@link Kernels} implementation runs a model. {@code auto} picks {@code vector} on the CPU
 * (it measured faster than ND4J for decoding, see BENCHMARKS.md "Model runtime"), and {@code nd4j}
 * when the build carries ND4J's CUDA backend ({@code -Pcuda}), falling back to {@code vector} with
 * a log line when CUDA cannot start.
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

  /** Class that is only on the class path in the CUDA build of ND4J. */
  static final String ND4J_CUDA_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";

  /** Whether this build carries ND4J's CUDA backend ({@code -Pcuda}). */
  static boolean cudaOnClassPath() {
    try {
      Class.forName(ND4J_CUDA_CLASS, false, Backend.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** Creates the kernels this backend stands for. */
  Kernels create(ModelOptions options) {
    return switch (this) {
      case VECTOR -> new VectorKernels(options.widenBf16AtLoad());
      case ND4J -> nd4j();
      case AUTO -> auto(options);
    };
  }

  private static Kernels auto(ModelOptions options) {
    if (!cudaOnClassPath()) {
      return new VectorKernels(options.widenBf16AtLoad());
    }
    try {
      return nd4j();
    } catch (RuntimeException | LinkageError e) {
      java.util.logging.Logger.getLogger(Backend.class.getName())
          .warning("backend auto: ND4J CUDA did not start (" + e + "); using vector");
      return new VectorKernels(options.widenBf16AtLoad());
    }
  }

  private static Kernels nd4j() {
    try {
      return (Kernels) Class.forName(ND4J_CLASS).getConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalStateException("backend nd4j is not available: " + e, e);
    }
  }
}
