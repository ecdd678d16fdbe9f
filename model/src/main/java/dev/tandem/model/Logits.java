package dev.tandem.model;

import dev.tandem.speccore.SamplingTransform;
import java.util.Arrays;

/**
 * Output of a forward pass: {@code [rows, vocab]} float32 logits, row-major, one row per position
 * asked for. Owned by the caller (a fresh array per forward).
 */
public record Logits(int rows, int vocab, float[] data) {
  public Logits {
    if (data.length != rows * vocab) {
      throw new IllegalArgumentException(
          "data must hold rows * vocab = " + rows * vocab + " floats, got " + data.length);
    }
  }

  /** Row {@code i} as a new array. */
  public float[] row(int i) {
    return Arrays.copyOfRange(data, i * vocab, (i + 1) * vocab);
  }

  /** The last row as a new array. */
  public float[] last() {
    return row(rows - 1);
  }

  /** The argmax of row {@code i} (lowest id on ties). */
  public int argmax(int i) {
    return SamplingTransform.argmax(row(i));
  }
}
