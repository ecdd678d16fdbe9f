package dev.tandem.model;

import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SamplingTransform;
import dev.tandem.speccore.SparseDistribution;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Chooses tokens from logits for one request: greedy (temperature 0), or temperature / top-k /
 * top-p sampling exactly as {@link SamplingTransform} defines it (the same transform the verifier's
 * acceptance uses, so a drafter's q and the verifier's p are processed identically). Returns the
 * token and the sparse distribution it was drawn from (the draft probabilities q of speculative
 * decoding).
 *
 * <p>Seeded: the same params (seed included) and the same logits give the same tokens. Not
 * thread-safe (it holds the request's random generator): one request, one sampler.
 */
public final class Sampler {
  private final SamplingParams params;
  private final RandomGenerator rng;

  /** The token chosen and the distribution it was drawn from (a point mass when greedy). */
  public record Sample(int token, SparseDistribution distribution) {}

  /** A sampler whose generator is seeded with {@code params.seed()}. */
  public Sampler(SamplingParams params) {
    this(params, new SplittableRandom(params.seed()));
  }

  /** A sampler drawing from the given generator (e.g. one shared with the acceptance sampler). */
  public Sampler(SamplingParams params, RandomGenerator rng) {
    this.params = params;
    this.rng = rng;
  }

  public SamplingParams params() {
    return params;
  }

  /** Samples from one row of logits ({@code [vocab]}). */
  public Sample sample(float[] logits) {
    if (params.isGreedy()) {
      int token = SamplingTransform.argmax(logits);
      return new Sample(token, SparseDistribution.pointMass(token));
    }
    float[] probs = SamplingTransform.probabilities(logits, params);
    int token = SamplingTransform.sample(probs, rng);
    return new Sample(token, SamplingTransform.sparse(probs));
  }

  /** Samples from row {@code row} of a logits block. */
  public Sample sample(Logits logits, int row) {
    return sample(logits.row(row));
  }
}
