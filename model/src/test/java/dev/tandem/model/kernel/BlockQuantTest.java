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
 * Quantize -> de-quantize round trips within each format's bound, on blocks of several value
 * distributions (the bounds are computed here from each block's own max, independently of the
 * quantizer), and hand-worked blocks that pin ggml's rounding rules (halves away from zero for
 * Q8_0, {@code x/d + 8.5} truncated and clipped at 15 for Q4_0).
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
  void q4RoundTripStaysWithinHalfAStepExceptTheClippedTopStep() {
    Random random = new Random(2);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate(18);
      for (int b = 0; b < BLOCKS; b++) {
        float[] x = block(random, b);
        BlockQuant.quantizeRow(DType.Q4_0, x, 0, 32, seg, 0);
        float m = 0;
        for (float v : x) {
          m = Math.abs(v) > Math.abs(m) ? v : m;
        }
        double d = m / -8.0;
        double d16 = Float.float16ToFloat(Float.floatToFloat16((float) d));
        double slack = 8 * Math.abs(d - d16) + 1e-6 * Math.abs(m);
        for (int j = 0; j < 32; j++) {
          double err = Math.abs(x[j] - BlockQuant.dequantize(DType.Q4_0, seg, j));
          boolean clipped = d != 0 && x[j] / d >= 7.5 - 1e-5;
          double bound = (clipped ? Math.abs(d16) : Math.abs(d16) / 2) + slack;
          assertTrue(err <= bound, "block " + b + " value " + j + ": error " + err + " > " + bound);
        }
      }
    }
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
  void q4PacksLowNibblesFirstAndClipsTheTopStep() {
    float[] x = new float[32];
    x[0] = -8; // the largest magnitude: d = -8 / -8 = 1, stored as nibble 0
    x[1] = 0.5f; // 0.5 + 8.5 = 9 -> 9 (value 1): halves round up
    x[2] = -0.5f; // 8 -> value 0
    x[16] = 7.5f; // 16 -> clipped to 15 (value 7)
    x[17] = 3f; // 11 (value 3)
    MemorySegment seg = quantize(DType.Q4_0, x);
    assertEquals(Float.floatToFloat16(1f), seg.get(Layouts.I16_LE, 0));
    assertEquals((byte) (0 | 15 << 4), seg.get(ValueLayout.JAVA_BYTE, 2)); // x[0] low, x[16] high
    assertEquals((byte) (9 | 11 << 4), seg.get(ValueLayout.JAVA_BYTE, 3));
    assertEquals((byte) (8 | 8 << 4), seg.get(ValueLayout.JAVA_BYTE, 4));
    float[] expected = new float[32];
    expected[0] = -8;
    expected[1] = 1;
    expected[16] = 7;
    expected[17] = 3;
    for (int j = 0; j < 32; j++) {
      assertEquals(expected[j], BlockQuant.dequantize(DType.Q4_0, seg, j), "value " + j);
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
