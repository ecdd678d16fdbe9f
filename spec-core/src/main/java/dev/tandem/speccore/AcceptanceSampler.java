package dev.tandem.speccore;

import java.util.random.RandomGenerator;

/**
 * Decides which draft tokens the verifier keeps, so that the output is exactly what the verifier
 * alone would produce.
 *
 * <ul>
 *   <li>Greedy: accept the longest prefix where each draft token equals the argmax of its target
 *       row; emit the target argmax at the first mismatch, or the argmax of row k (the bonus token)
 *       after a full accept.
 *   <li>Stochastic (Leviathan et al. 2023; Chen et al. 2023): accept draft token x with probability
 *       {@code min(1, p(x) / q(x))}; on rejection draw from {@code normalize(max(0, p - q))}, where
 *       q is 0 outside its sparse support (if that residual has no mass, which only float rounding
 *       of p = q can cause, draw from p); after a full accept draw the bonus token from row k.
 * </ul>
 *
 * <p>Randomness comes only from the injected generator: one {@code nextDouble()} per examined draft
 * token, plus one per draw. Stateless and thread-safe (the generator is the caller's).
 */
public final class AcceptanceSampler {

  /** Allowed deviation of a target row's sum from 1. */
  public static final double ROW_SUM_TOLERANCE = 1e-3;

  /** Below this mass the residual distribution is treated as empty. */
  private static final double EMPTY_RESIDUAL = 1e-12;

  private AcceptanceSampler() {}

  /**
   * @param draft the k draft tokens with their draft distributions q
   * @param targetProbs {@code [k + 1][vocab]} dense target probabilities, already transformed by
   *     {@link SamplingTransform#probabilities} with the request's params: row i is {@code p(. |
   *     context + draft[0..i))}
   * @param params the request's sampling parameters (greedy or stochastic rule)
   * @param rng source of randomness (unused when greedy)
   */
  public static Verdict accept(
      DraftBlock draft, float[][] targetProbs, SamplingParams params, RandomGenerator rng) {
    requireRows(draft, targetProbs);
    return params.isGreedy()
        ? acceptGreedy(draft, targetProbs)
        : acceptSampled(draft, targetProbs, rng);
  }

  /**
   * The greedy rule straight from the target's logits (the argmax of a row of logits is the argmax
   * of its greedy probabilities, a one-hot at the same token): no probabilities are built.
   *
   * @param logits {@code [k + 1][vocab]}, row i scoring the position after {@code draft[0..i)}
   */
  public static Verdict acceptGreedyLogits(DraftBlock draft, float[][] logits) {
    if (logits == null || logits.length != draft.size() + 1) {
      throw new IllegalArgumentException(
          "logits must have k + 1 = "
              + (draft.size() + 1)
              + " rows, got "
              + (logits == null ? "null" : logits.length));
    }
    return acceptGreedy(draft, logits);
  }

  private static Verdict acceptGreedy(DraftBlock draft, float[][] target) {
    int[] tokens = draft.tokens();
    for (int i = 0; i < tokens.length; i++) {
      int best = SamplingTransform.argmax(target[i]);
      if (tokens[i] != best) {
        return new Verdict(i, best);
      }
    }
    return new Verdict(tokens.length, SamplingTransform.argmax(target[tokens.length]));
  }

  private static Verdict acceptSampled(DraftBlock draft, float[][] target, RandomGenerator rng) {
    int[] tokens = draft.tokens();
    for (int i = 0; i < tokens.length; i++) {
      int x = tokens[i];
      double q = draft.probs()[i].prob(x);
      double p = target[i][x];
      // u < p / q, without dividing; q > 0 is guaranteed by DraftBlock.
      if (rng.nextDouble() * q >= p) {
        return new Verdict(i, sampleResidual(target[i], draft.probs()[i], rng));
      }
    }
    return new Verdict(tokens.length, SamplingTransform.sample(target[tokens.length], rng));
  }

  /** Draws from normalize(max(0, p - q)); from p when that has no mass. */
  private static int sampleResidual(float[] p, SparseDistribution q, RandomGenerator rng) {
    float[] residual = p.clone();
    int[] support = q.tokens();
    for (int j = 0; j < support.length; j++) {
      if (support[j] < residual.length) {
        residual[support[j]] = Math.max(0f, residual[support[j]] - q.probs()[j]);
      }
    }
    double mass = 0;
    for (float r : residual) {
      mass += r;
    }
    return SamplingTransform.sample(mass > EMPTY_RESIDUAL ? residual : p, rng);
  }

  private static void requireRows(DraftBlock draft, float[][] targetProbs) {
    if (targetProbs == null || targetProbs.length != draft.size() + 1) {
      throw new IllegalArgumentException(
          "targetProbs must have k + 1 = "
              + (draft.size() + 1)
              + " rows, got "
              + (targetProbs == null ? "null" : targetProbs.length));
    }
    int vocab = targetProbs[0] == null ? 0 : targetProbs[0].length;
    for (int i = 0; i < targetProbs.length; i++) {
      float[] row = targetProbs[i];
      if (row == null || row.length == 0 || row.length != vocab) {
        throw new IllegalArgumentException(
            "targetProbs[" + i + "] must have the vocabulary size " + vocab + " of row 0");
      }
      double sum = 0;
      for (float p : row) {
        if (!(p >= 0f)) {
          throw new IllegalArgumentException(
              "targetProbs[" + i + "] must be non-negative, got " + p);
        }
        sum += p;
      }
      if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
        throw new IllegalArgumentException(
            "targetProbs[" + i + "] must sum to 1 within " + ROW_SUM_TOLERANCE + ", got " + sum);
      }
      if (i < draft.size() && draft.tokens()[i] >= vocab) {
        throw new IllegalArgumentException(
            "draft tokens["
                + i
                + "] = "
                + draft.tokens()[i]
                + " must be < vocabulary size "
                + vocab);
      }
    }
  }
}
