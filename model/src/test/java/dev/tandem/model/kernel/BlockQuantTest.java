package dev.tandem.model.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Quantize -> de-quantize round trips on blocks of several value distributions: Q8_0 within its
 * bound (computed here from each block's own max, independently of the quantizer), Q4_0 never
 * further from the floats than ggml's reference rounding (re-written here from its C source) and
 * closer on average; hand-worked blocks pin ggml's Q8_0 rounding (halves away from zero), the Q4_0
 * nibble order and what the Q4_0 scale search finds.
 */
class BlockQuantTest {
  private static final int BLOCKS = 2000;

  @Test
  void q8RoundTripStaysWithinHalfAStepPlusTheScaleRounding() {
    Random random = new Random(1);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate(34);
      for (int b = 0; b < BLOCKS; b++) {
        float[] x = block(random, b);
        BlockQuant.quantizeRow(DType.Q8_0, x, 0, 32, seg, 0);
        float amax = 0;
        for (float v : x) {
          amax = Math.max(amax, Math.abs(v));
        }
        double d = amax / 127.0;
        double d16 = Float.float16ToFloat(Float.floatToFloat16((float) d));
        double bound = d16 / 2 + 127 * Math.abs(d - d16) + 1e-6 * amax;
        for (int j = 0; j < 32; j++) {
          double err = Math.abs(x[j] - BlockQuant.dequantize(DType.Q8_0, seg, j));
          assertTrue(err <= bound, "block " + b + " value " + j + ": error " + err + " > " + bound);
        }
      }
    }
  }

  @Test
  void q4BlocksAreNeverFurtherFromTheirFloatsThanGgmlsReferenceBlocks() {
    Random random = new Random(2);
    double searched = 0;
    double reference = 0;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate(18);
      for (int b = 0; b < BLOCKS; b++) {
        float[] x = block(random, b);
        BlockQuant.quantizeRow(DType.Q4_0, x, 0, 32, seg, 0);
        double[] ref = ggmlQ4Reference(x);
        double errSearched = 0;
        double errReference = 0;
        double norm = 0;
        for (int j = 0; j < 32; j++) {
          errSearched += sq(x[j] - BlockQuant.dequantize(DType.Q4_0, seg, j));
          errReference += sq(x[j] - ref[j]);
          norm += sq(x[j]);
        }
        // the quantizer compares float32 sums; 1e-6 of the block's norm covers their rounding
        assertTrue(
            errSearched <= errReference + 1e-6 * norm,
            "block " + b + ": squared error " + errSearched + " > reference " + errReference);
        if (b % 4 == 1) { // gaussian blocks, the shape of LLaMA weights
          searched += errSearched / norm;
          reference += errReference / norm;
        }
      }
    }
    // measured 0.88 with this seed (the search's gain on gaussian blocks; 1.0 = none)
    assertTrue(searched < 0.92 * reference, "relative error " + searched / reference);
  }

  @Test
  void q4SearchFindsTheScaleThatFitsAnOutlierAndTheRest() {
    float[] x = new float[32];
    x[0] = -8; // the reference takes d = 1 from it and clips every 7.5 to 7 (error 0.5 each)
    for (int j = 1; j < 16; j++) {
      x[j] = 7.5f;
    }
    MemorySegment seg = quantize(DType.Q4_0, x);
    double err = 0;
    for (int j = 0; j < 32; j++) {
      err += sq(x[j] - BlockQuant.dequantize(DType.Q4_0, seg, j));
    }
    assertTrue(err < 0.25 * 15 * 0.25, "squared error " + err + ", the reference has 3.75");
  }

  /** ggml's quantize_row_q4_0_ref, values de-quantized, written from its C source. */
  private static double[] ggmlQ4Reference(float[] x) {
    float amax = 0;
    float max = 0;
    for (float v : x) {
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    float d = max / -8;
    float id = d != 0 ? 1.0f / d : 0.0f;
    double d16 = Float.float16ToFloat(Float.floatToFloat16(d));
    double[] out = new double[32];
    for (int j = 0; j < 32; j++) {
      out[j] = d16 * (Math.min(15, (int) (x[j] * id + 8.5f)) - 8);
    }
    return out;
  }

  private static double sq(double v) {
    return v * v;
  }

  @Test
  void q8RoundsHalvesAwayFromZeroLikeCRoundf() {
    float[] x = new float[32];
    x[0] = 127; // d = 1 exactly
    x[1] = 2.5f;
    x[2] = -2.5f;
    x[3] = 0.49999997f;
    x[4] = -126.5f;
    MemorySegment seg = quantize(DType.Q8_0, x);
    assertEquals(Float.floatToFloat16(1f), seg.get(Layouts.I16_LE, 0));
    assertEquals(127, seg.get(ValueLayout.JAVA_BYTE, 2));
    assertEquals(3, seg.get(ValueLayout.JAVA_BYTE, 3));
    assertEquals(-3, seg.get(ValueLayout.JAVA_BYTE, 4));
    assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, 5));
    assertEquals(-127, seg.get(ValueLayout.JAVA_BYTE, 6));
  }

  @Test
  void q4PacksLowNibblesFirstAndKeepsABlockItRepresentsExactly() {
    float[] x = new float[32];
    x[0] = -8; // the largest magnitude: d = -8 / -8 = 1, stored as nibble 0
    x[1] = 1; // nibble 9
    x[16] = 7; // nibble 15
    x[17] = 3; // nibble 11
    MemorySegment seg = quantize(DType.Q4_0, x);
    assertEquals(Float.floatToFloat16(1f), seg.get(Layouts.I16_LE, 0));
    assertEquals((byte) (0 | 15 << 4), seg.get(ValueLayout.JAVA_BYTE, 2)); // x[0] low, x[16] high
    assertEquals((byte) (9 | 11 << 4), seg.get(ValueLayout.JAVA_BYTE, 3));
    assertEquals((byte) (8 | 8 << 4), seg.get(ValueLayout.JAVA_BYTE, 4));
    for (int j = 0; j < 32; j++) {
      assertEquals(x[j], BlockQuant.dequantize(DType.Q4_0, seg, j), "value " + j);
    }
  }

  @Test
  void anAllZeroBlockStaysZero() {
    for (DType t : new DType[] {DType.Q8_0, DType.Q4_0}) {
      MemorySegment seg = quantize(t, new float[32]);
      for (int j = 0; j < 32; j++) {
        assertEquals(0f, BlockQuant.dequantize(t, seg, j), 0f, t + " value " + j); // -0 too
      }
    }
  }

  @Test
  void rowsThatAreNotWholeBlocksAreRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BlockQuant.quantizeRow(
                    DType.Q8_0, new float[48], 0, 48, MemorySegment.ofArray(new byte[64]), 0));
    assertTrue(e.getMessage().contains("48"), e.getMessage());
  }

  /** Block b of a mix of distributions: uniform, gaussian with an outlier, tiny, constant. */
  private static float[] block(Random random, int b) {
    float[] x = new float[32];
    float scale = (float) Math.pow(10, random.nextInt(7) - 4);
    for (int j = 0; j < 32; j++) {
      x[j] =
          switch (b % 4) {
            case 0 -> (random.nextFloat() * 2 - 1) * scale;
            case 1 -> (float) random.nextGaussian() * scale;
            case 2 -> j == b % 32 ? 20 * scale : (float) random.nextGaussian() * scale;
            default -> (b % 8 == 3 ? -scale : scale) * (j % 2 == 0 ? 1 : 0.25f);
          };
    }
    return x;
  }

  private static MemorySegment quantize(DType t, float[] x) {
    MemorySegment seg = MemorySegment.ofArray(new byte[t.blockBytes()]);
    BlockQuant.quantizeRow(t, x, 0, 32, seg, 0);
    return seg;
  }
}
