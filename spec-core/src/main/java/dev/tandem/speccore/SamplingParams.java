package dev.tandem.speccore;

/**
 * How tokens are chosen from a distribution. Temperature 0 is greedy decoding (exact argmax);
 * otherwise logits are divided by the temperature, then top-k and top-p (nucleus) truncation are
 * applied, in that order, and the result renormalised.
 *
 * @param temperature 0 (greedy) .. 2
 * @param topP nucleus mass in (0, 1]; 1 disables it
 * @param topK number of most probable tokens kept; 0 disables it
 * @param seed seed of the request's random generator (ignored when greedy)
 */
public record SamplingParams(float temperature, float topP, int topK, long seed) {

  /** Largest temperature accepted. */
  public static final float MAX_TEMPERATURE = 2f;

  /** Greedy decoding with no truncation. */
  public static final SamplingParams GREEDY = new SamplingParams(0f, 1f, 0, 0L);

  public SamplingParams {
    if (!(temperature >= 0f && temperature <= MAX_TEMPERATURE)) {
      throw new IllegalArgumentException(
          "temperature must be in 0.." + MAX_TEMPERATURE + ", got " + temperature);
    }
    if (!(topP > 0f && topP <= 1f)) {
      throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top_k must be >= 0 (0 = off), got " + topK);
    }
  }

  /** True when tokens are chosen by argmax. */
  public boolean isGreedy() {
    return temperature == 0f;
  }
}
