package dev.tandem.speccore;

import java.util.SplittableRandom;

/**
 * A first-order Markov "language model" for tests: the logits of the next token depend only on the
 * previous token. Small enough that exact sequence probabilities can be computed by hand.
 */
final class MarkovTable {

  private final float[][] logits; // [vocab (previous token)][vocab (next token)]

  private MarkovTable(float[][] logits) {
    this.logits = logits;
  }

  /** Logits drawn uniformly from [-scale, scale]. */
  static MarkovTable random(int vocab, double scale, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] logits = new float[vocab][vocab];
    for (float[] row : logits) {
      for (int j = 0; j < vocab; j++) {
        row[j] = (float) ((rng.nextDouble() * 2 - 1) * scale);
      }
    }
    return new MarkovTable(logits);
  }

  /** This table plus uniform noise in [-noise, noise]: a draft of tunable quality. */
  MarkovTable perturbed(double noise, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] out = new float[logits.length][];
    for (int i = 0; i < logits.length; i++) {
      out[i] = logits[i].clone();
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] += (float) ((rng.nextDouble() * 2 - 1) * noise);
      }
    }
    return new MarkovTable(out);
  }

  int vocab() {
    return logits.length;
  }

  float[] after(int previous) {
    return logits[previous];
  }

  /** Plain greedy decoding, one token at a time: the reference for exactness. */
  int[] greedyDecode(int[] prompt, int count) {
    int[] out = new int[count];
    int previous = prompt[prompt.length - 1];
    for (int i = 0; i < count; i++) {
      out[i] = SamplingTransform.argmax(after(previous));
      previous = out[i];
    }
    return out;
  }

  /** Exact probability that sampling with {@code params} generates {@code sequence}. */
  double sequenceProbability(int previous, int[] sequence, SamplingParams params) {
    double probability = 1;
    for (int token : sequence) {
      probability *= SamplingTransform.probabilities(after(previous), params)[token];
      previous = token;
    }
    return probability;
  }
}
