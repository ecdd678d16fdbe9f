package dev.tandem.model.kernel.vector;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector shapes of the quantized kernels: L float lanes and a byte species of the same lane count
 * (16 floats and 128-bit byte vectors with AVX-512), so one byte load widens to one float vector
 * ({@code B2F} conversion, compiled to a sign-extend and an int-to-float instruction). L must
 * divide the 16 bytes of a Q4_0 block: the preferred species is used when it has 8 or 16 lanes,
 * else 256-bit vectors.
 */
final class QuantSpecies {
  static final VectorSpecies<Float> F =
      FloatVector.SPECIES_PREFERRED.length() == 8 || FloatVector.SPECIES_PREFERRED.length() == 16
          ? FloatVector.SPECIES_PREFERRED
          : FloatVector.SPECIES_256;
  static final int L = F.length();
  static final VectorSpecies<Byte> B =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(L * Byte.SIZE));

  static {
    if (B.length() != L || ByteVector.SPECIES_MAX.length() < L) {
      throw new ExceptionInInitializerError("no byte species with " + L + " lanes");
    }
  }

  private QuantSpecies() {}
}
