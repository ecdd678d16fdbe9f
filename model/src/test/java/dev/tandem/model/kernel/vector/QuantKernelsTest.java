package dev.tandem.model.kernel.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.kernel.ActivationBuffer;
import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.Layouts;
import dev.tandem.model.kernel.TensorData;
import dev.tandem.model.kernel.Weight;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Vector API kernels on Q8_0 / Q4_0 weights against a plain double-precision reference that
 * decodes the blocks itself (written from the format description, sharing no code with the kernels
 * or {@code BlockQuant}). Random bytes and random float16 scales, not quantizer output, so every
 * bit pattern of the quants occurs. Shapes cover 1..9 rows (decode, block scoring of k + 1 = 2..9
 * rows) and batches of 13 and 16, 1..17 blocks per row (odd counts hit the unrolled loops' tails),
 * and data 3 bytes past an aligned address.
 */
class QuantKernelsTest {
  private static final Arena ARENA = Arena.ofShared();
  private static final VectorKernels KERNELS = new VectorKernels();
  private static final int[] ROW_COUNTS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16};
  private static final int[] COLS = {32, 64, 96, 160, 544};

  @AfterAll
  static void close() {
    KERNELS.close();
    ARENA.close();
  }

  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"Q8_0", "Q4_0"})
  void matmulMatchesThePlainReferenceOnEveryShape(DType type) {
    Random random = new Random(type.ordinal());
    for (int cols : COLS) {
      for (int rows : new int[] {1, 3, 17}) {
        MemorySegment blocks = randomBlocks(random, type, rows, cols);
        Weight w = KERNELS.weight(new TensorData("w", type, new long[] {rows, cols}, blocks));
        double[] dense = dequantize(type, blocks, rows, cols);
        for (int n : ROW_COUNTS) {
          float[] x = new float[n * cols];
          for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
          }
          ActivationBuffer in = KERNELS.buffer(n, cols);
          ActivationBuffer out = KERNELS.buffer(n + 1, rows);
          KERNELS.write(x, 0, n, in);
          float[] sentinel = new float[(n + 1) * rows];
          java.util.Arrays.fill(sentinel, 42f);
          KERNELS.write(sentinel, 0, n + 1, out);
          KERNELS.matmul(in, w, n, out);
          float[] got = new float[(n + 1) * rows];
          KERNELS.read(out, n + 1, got, 0);
          String what = type + " rows=" + rows + " cols=" + cols + " n=" + n;
          for (int r = 0; r < n; r++) {
            for (int o = 0; o < rows; o++) {
              double s = 0;
              double magnitude = 0;
              for (int i = 0; i < cols; i++) {
                s += x[r * cols + i] * dense[o * cols + i];
                magnitude += Math.abs(x[r * cols + i] * dense[o * cols + i]);
              }
              double err = Math.abs(got[r * rows + o] - s);
              assertTrue(
                  err <= 1e-5 * magnitude + 1e-6,
                  what + " out[" + r + ", " + o + "] = " + got[r * rows + o] + ", expected " + s);
            }
          }
          for (int o = 0; o < rows; o++) {
            assertEquals(42f, got[n * rows + o], what + ": row n was written");
          }
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"Q8_0", "Q4_0"})
  void embeddingRowsOfAQuantizedTableAreItsDecodedRows(DType type) {
    Random random = new Random(7);
    int vocab = 11;
    int dim = 64;
    MemorySegment blocks = randomBlocks(random, type, vocab, dim);
    Weight table = KERNELS.weight(new TensorData("t", type, new long[] {vocab, dim}, blocks));
    double[] dense = dequantize(type, blocks, vocab, dim);
    int[] tokens = {10, 0, 3};
    ActivationBuffer out = KERNELS.buffer(3, dim);
    KERNELS.embed(table, tokens, 3, out);
    float[] got = new float[3 * dim];
    KERNELS.read(out, 3, got, 0);
    for (int r = 0; r < 3; r++) {
      for (int i = 0; i < dim; i++) {
        assertEquals(dense[tokens[r] * dim + i], got[r * dim + i], 0, "row " + r + " col " + i);
      }
    }
  }

  @Test
  void aOneDimensionalQuantizedTensorIsRejected() {
    MemorySegment blocks = ARENA.allocate(34);
    TensorData t = new TensorData("norm", DType.Q8_0, new long[] {32}, blocks);
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> KERNELS.weight(t));
    assertTrue(e.getMessage().contains("norm"), e.getMessage());
  }

  /** rows x cols/32 blocks of random quants and float16 scales, 3 bytes past an aligned address. */
  private static MemorySegment randomBlocks(Random random, DType type, int rows, int cols) {
    long bytes = (long) rows * cols / 32 * type.blockBytes();
    MemorySegment seg = ARENA.allocate(bytes + 3, 64).asSlice(3, bytes);
    for (long i = 0; i < bytes; i++) {
      seg.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
    }
    for (long b = 0; b < bytes / type.blockBytes(); b++) {
      float scale = (float) (random.nextGaussian() * 0.01);
      seg.set(Layouts.I16_LE, b * type.blockBytes(), Float.floatToFloat16(scale));
    }
    return seg;
  }

  /** The format description, value by value: Q8_0 d * q; Q4_0 d * (nibble - 8), low ones first. */
  private static double[] dequantize(DType type, MemorySegment seg, int rows, int cols) {
    double[] out = new double[rows * cols];
    for (int i = 0; i < out.length; i++) {
      long block = (long) (i / 32) * type.blockBytes();
      int j = i % 32;
      double d = Float.float16ToFloat(seg.get(Layouts.I16_LE, block));
      if (type == DType.Q8_0) {
        out[i] = d * seg.get(ValueLayout.JAVA_BYTE, block + 2 + j);
      } else {
        int b = Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, block + 2 + (j % 16)));
        out[i] = d * ((j < 16 ? b & 15 : b >> 4) - 8);
      }
    }
    return out;
  }
}
