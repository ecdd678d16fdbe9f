package dev.tandem.model.kernel.nd4j;

import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.TensorData;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Plain double-precision reference kernels, written from the formulas in {@code Kernels}' javadoc
 * and sharing no code with either backend, plus test tensors laid out like a safetensors file
 * (little-endian, at an unaligned address).
 */
final class Reference {
  private static final ValueLayout.OfFloat F32 =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort I16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private Reference() {}

  static float[] random(Random random, int length, float scale) {
    float[] values = new float[length];
    for (int i = 0; i < length; i++) {
      values[i] = (random.nextFloat() * 2 - 1) * scale;
    }
    return values;
  }

  /** The values a tensor of {@code dtype} actually holds after storing {@code values}. */
  static float[] quantized(float[] values, DType dtype) {
    float[] q = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      q[i] =
          switch (dtype) {
            case F32 -> values[i];
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(values[i]));
            case BF16 -> Float.intBitsToFloat(Float.floatToRawIntBits(values[i]) & 0xFFFF0000);
            case Q8_0, Q4_0 -> throw new IllegalArgumentException("not an element type: " + dtype);
          };
    }
    return q;
  }

  /** A tensor holding {@code values} as {@code dtype}, 3 bytes past an aligned address. */
  static TensorData tensor(Arena arena, String name, DType dtype, float[] values, long... shape) {
    long bytes = (long) values.length * dtype.bytes();
    MemorySegment data = arena.allocate(bytes + 3, 64).asSlice(3, bytes);
    for (int i = 0; i < values.length; i++) {
      switch (dtype) {
        case F32 -> data.set(F32, i * 4L, values[i]);
        case F16 -> data.set(I16, i * 2L, Float.floatToFloat16(values[i]));
        case BF16 -> data.set(I16, i * 2L, (short) (Float.floatToRawIntBits(values[i]) >>> 16));
      }
    }
    return new TensorData(name, dtype, shape, data);
  }

  /** out[r, o] = sum_i x[r, i] * w[o, i]; x: [n, cols], w: [rows, cols]. */
  static double[] matmul(float[] x, int n, float[] w, int rows, int cols) {
    double[] out = new double[n * rows];
    for (int r = 0; r < n; r++) {
      for (int o = 0; o < rows; o++) {
        double s = 0;
        for (int i = 0; i < cols; i++) {
          s += (double) x[r * cols + i] * w[o * cols + i];
        }
        out[r * rows + o] = s;
      }
    }
    return out;
  }

  static double[] rmsNorm(float[] x, float[] gamma, double eps, int n, int d) {
    double[] out = new double[n * d];
    for (int r = 0; r < n; r++) {
      double ss = 0;
      for (int i = 0; i < d; i++) {
        ss += (double) x[r * d + i] * x[r * d + i];
      }
      double inv = 1 / Math.sqrt(ss / d + eps);
      for (int i = 0; i < d; i++) {
        out[r * d + i] = x[r * d + i] * inv * gamma[i];
      }
    }
    return out;
  }

  /** rotate_half RoPE of x: [n, nHeads * headDim], angle(p, i) = p * theta^(-2i / headDim). */
  static double[] rope(float[] x, int n, int nHeads, int headDim, int[] positions, double theta) {
    int half = headDim / 2;
    double[] out = new double[n * nHeads * headDim];
    for (int r = 0; r < n; r++) {
      for (int h = 0; h < nHeads; h++) {
        int base = (r * nHeads + h) * headDim;
        for (int i = 0; i < half; i++) {
          double angle = positions[r] * Math.pow(theta, -2.0 * i / headDim);
          double x1 = x[base + i];
          double x2 = x[base + half + i];
          out[base + i] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
          out[base + half + i] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
        }
      }
    }
    return out;
  }

  static double[] siluMul(float[] gate, float[] up, int len) {
    double[] out = new double[len];
    for (int i = 0; i < len; i++) {
      double z = gate[i];
      out[i] = z / (1 + Math.exp(-z)) * up[i];
    }
    return out;
  }

  /** One sequence's KV cache in double, with the same overwrite-on-store semantics. */
  static final class KvCache {
    final double[][] keys; // [capacity][kvDim]
    final double[][] values;

    KvCache(int capacity, int kvDim) {
      keys = new double[capacity][kvDim];
      values = new double[capacity][kvDim];
    }

    /**
     * Stores k, v rows [rowStart, rowStart + count) at positions startPos.. and returns the
     * attention output for those rows, [count, nHeads * headDim].
     */
    double[] attend(
        int startPos,
        float[] q,
        float[] k,
        float[] v,
        int rowStart,
        int count,
        int nHeads,
        int nKvHeads,
        int headDim) {
      int kvDim = nKvHeads * headDim;
      int qDim = nHeads * headDim;
      for (int j = 0; j < count; j++) {
        for (int i = 0; i < kvDim; i++) {
          keys[startPos + j][i] = k[(rowStart + j) * kvDim + i];
          values[startPos + j][i] = v[(rowStart + j) * kvDim + i];
        }
      }
      double[] out = new double[count * qDim];
      for (int j = 0; j < count; j++) {
        int last = startPos + j;
        for (int h = 0; h < nHeads; h++) {
          int kh = h / (nHeads / nKvHeads);
          double[] score = new double[last + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int t = 0; t <= last; t++) {
            double s = 0;
            for (int i = 0; i < headDim; i++) {
              s += q[(rowStart + j) * qDim + h * headDim + i] * keys[t][kh * headDim + i];
            }
            score[t] = s / Math.sqrt(headDim);
            max = Math.max(max, score[t]);
          }
          double sum = 0;
          for (int t = 0; t <= last; t++) {
            score[t] = Math.exp(score[t] - max);
            sum += score[t];
          }
          for (int t = 0; t <= last; t++) {
            for (int i = 0; i < headDim; i++) {
              out[j * qDim + h * headDim + i] += score[t] / sum * values[t][kh * headDim + i];
            }
          }
        }
      }
      return out;
    }
  }
}
