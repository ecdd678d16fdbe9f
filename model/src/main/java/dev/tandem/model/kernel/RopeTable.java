package dev.tandem.model.kernel;

/**
 * Rotary position embedding tables in the Hugging Face LLaMA convention ("rotate_half"): for a head
 * vector {@code x} of {@code headDim} floats split into halves {@code x1 = x[0..h)} and {@code x2 =
 * x[h..2h)}, {@code h = headDim / 2}, at position {@code p}:
 *
 * <pre>
 *   out[i]     = x1[i] * cos(p, i) - x2[i] * sin(p, i)
 *   out[i + h] = x2[i] * cos(p, i) + x1[i] * sin(p, i)        for i in [0, h)
 *   angle(p, i) = p * theta^(-2i / headDim)
 * </pre>
 *
 * (HF computes {@code inv_freq} and the angle in float32; so does this table.)
 *
 * <p>Immutable; backends may cache a device copy keyed by identity.
 */
public final class RopeTable {
  private final int headDim;
  private final int positions;
  private final float[] cos; // [positions, headDim / 2]
  private final float[] sin; // [positions, headDim / 2]

  public RopeTable(int headDim, double theta, int positions) {
    if (headDim <= 0 || headDim % 2 != 0) {
      throw new IllegalArgumentException("head dim must be even and positive, got " + headDim);
    }
    this.headDim = headDim;
    this.positions = positions;
    int half = headDim / 2;
    float[] invFreq = new float[half];
    for (int i = 0; i < half; i++) {
      // torch: 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
      invFreq[i] = (float) (1.0 / Math.pow(theta, (float) (2 * i) / headDim));
    }
    cos = new float[positions * half];
    sin = new float[positions * half];
    for (int p = 0; p < positions; p++) {
      for (int i = 0; i < half; i++) {
        float angle = (float) p * invFreq[i];
        cos[p * half + i] = (float) Math.cos(angle);
        sin[p * half + i] = (float) Math.sin(angle);
      }
    }
  }

  public int headDim() {
    return headDim;
  }

  /** Number of positions covered: {@code [0, positions)}. */
  public int positions() {
    return positions;
  }

  /** cos table, {@code [positions, headDim / 2]} row-major. Do not modify. */
  public float[] cos() {
    return cos;
  }

  /** sin table, {@code [positions, headDim / 2]} row-major. Do not modify. */
  public float[] sin() {
    return sin;
  }
}
