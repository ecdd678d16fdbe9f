package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.Layouts;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector shapes of the quantized kernels and what Q8Dots and Q4Dots read alike: L float lanes, int
 * lanes of the same shape, and a byte species of the same lane count (16 floats and 128-bit byte
 * vectors with AVX-512), so one byte load widens to one float or int vector ({@code B2F} / {@code
 * B2I}, compiled to one sign-extend, plus an int-to-float for B2F). L must divide the 16 bytes of a
 * Q4_0 block: the preferred species is used when it has 8 or 16 lanes, else 256-bit vectors.
 */
final class QuantSpecies {
  static final VectorSpecies<Float> F =
      FloatVector.SPECIES_PREFERRED.length() == 8 || FloatVector.SPECIES_PREFERRED.length() == 16
          ? FloatVector.SPECIES_PREFERRED
          : FloatVector.SPECIES_256;
  static final int L = F.length();
  static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  static final VectorSpecies<Byte> B =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(L * Byte.SIZE));
  static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  static {
    if (B.length() != L || ByteVector.SPECIES_MAX.length() < L) {
      throw new ExceptionInInitializerError("no byte species with " + L + " lanes");
    }
  }

  private QuantSpecies() {}

  /** The float16 scale d at the start of the block at {@code at} (both formats start with it). */
  static float scale(MemorySegment w, long at) {
    return Float.float16ToFloat(w.get(Layouts.I16_LE, at));
  }
}
