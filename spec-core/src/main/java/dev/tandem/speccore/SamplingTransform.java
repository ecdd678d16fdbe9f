package dev.tandem.speccore;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Logits to probabilities, shared by model samplers, drafters and the acceptance sampler so that
 * the verifier's p and the drafter's q are processed the same way.
 *
 * <p>Order of operations (as in Hugging Face's warpers): greedy gives a one-hot argmax; otherwise
 * {@code softmax(logits / T)}, then top-k (keep the k most probable), then top-p (keep the smallest
 * prefix of the probabilities sorted in descending order whose mass is {@code >= topP} of what
 * top-k left), renormalised. Ties in the sort are broken by the lower token id, so the result is
 * deterministic. Arithmetic is in double; the softmax subtracts the maximum logit.
 *
 * <p>Stateless and thread-safe.
 */
public final class SamplingTransform {

  private SamplingTransform() {}

  /** Index of the largest logit; the lowest index on ties. NaN logits are rejected. */
  public static int argmax(float[] logits) {
    requireLogits(logits);
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  /**
   * Dense probabilities over the vocabulary.
   *
   * @param logits {@code [vocab]}, finite or {@code -Infinity} (masked); at least one finite
   * @return {@code [vocab]}, summing to 1 (within float rounding)
   */
  public static float[] probabilities(float[] logits, SamplingParams params) {
    requireLogits(logits);
    float[] out = new float[logits.length];
    if (params.isGreedy()) {
      out[argmax(logits)] = 1f;
      return out;
    }
    double[] probs = softmax(logits, params.temperature());
    if (params.topK() > 0 || params.topP() < 1f) {
      truncate(probs, params.topK(), params.topP());
    }
    double sum = 0;
    for (double p : probs) {
      sum += p;
    }
    for (int i = 0; i < probs.length; i++) {
      out[i] = (float) (probs[i] / sum);
    }
    return out;
  }

  /** The sparse form of dense probabilities: the support is the nonzero entries. */
  public static SparseDistribution sparse(float[] probs) {
    int count = 0;
    for (float p : probs) {
      if (p != 0f) {
        count++;
      }
    }
    int[] tokens = new int[count];
    float[] values = new float[count];
    int j = 0;
    for (int i = 0; i < probs.length; i++) {
      if (probs[i] != 0f) {
        tokens[j] = i;
        values[j++] = probs[i];
      }
    }
    return new SparseDistribution(tokens, values);
  }

  /**
   * Draws a token from non-negative {@code probs} by inverse CDF: one {@code rng.nextDouble()}
   * scaled by the total mass (so float rounding in the sum cannot push the draw past the end).
   * Zero-probability tokens are never drawn.
   */
  public static int sample(float[] probs, RandomGenerator rng) {
    double total = 0;
    int last = -1;
    for (int i = 0; i < probs.length; i++) {
      total += probs[i];
      if (probs[i] > 0f) {
        last = i;
      }
    }
    if (last < 0) {
      throw new IllegalArgumentException("probs must have positive mass, got none");
    }
    double u = rng.nextDouble() * total;
    double cumulative = 0;
    for (int i = 0; i < last; i++) {
      cumulative += probs[i];
      if (cumulative > u) {
        return i;
      }
    }
    return last;
  }

  /** Draws a token from a sparse distribution by inverse CDF over its support, in listed order. */
  public static int sample(SparseDistribution distribution, RandomGenerator rng) {
    int index = sample(distribution.probs(), rng);
    return distribution.tokens()[index];
  }

  // logits: [vocab] -> probabilities of softmax(logits / temperature): [vocab], in double
  private static double[] softmax(float[] logits, float temperature) {
    float max = logits[argmax(logits)];
    if (max == Float.NEGATIVE_INFINITY) {
      throw new IllegalArgumentException("logits must have at least one finite value, got none");
    }
    double[] probs = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      probs[i] = Math.exp(((double) logits[i] - max) / temperature);
      sum += probs[i];
    }
    for (int i = 0; i < probs.length; i++) {
      probs[i] /= sum;
    }
    return probs;
  }

  /**
   * Zeroes every probability outside the top-k, then outside the top-p nucleus of what is left.
   * Only the first {@code keep} places of the descending order are read, so with top-k only the top
   * k keys are selected and sorted (O(vocab + k log k)); the places and the sums walked along them
   * are the same as with the whole vocabulary sorted.
   */
  private static void truncate(double[] probs, int topK, float topP) {
    long[] keys = orderKeys(probs);
    int keep = topK > 0 ? Math.min(topK, keys.length) : keys.length;
    if (keep < keys.length) {
      moveTopToEnd(keys, keep);
      Arrays.sort(keys, keys.length - keep, keys.length);
    } else {
      Arrays.sort(keys);
    }
    int top = keys.length - 1; // keys ascend: the most probable token's key is last
    double keptMass = 0;
    for (int r = 0; r < keep; r++) {
      keptMass += probs[indexOf(keys[top - r])];
    }
    double target = topP * keptMass;
    double cumulative = 0;
    int nucleus = 0;
    while (nucleus < keep) {
      cumulative += probs[indexOf(keys[top - nucleus++])];
      if (cumulative >= target) {
        break;
      }
    }
    double[] kept = new double[nucleus];
    for (int r = 0; r < nucleus; r++) {
      kept[r] = probs[indexOf(keys[top - r])];
    }
    Arrays.fill(probs, 0);
    for (int r = 0; r < nucleus; r++) {
      probs[indexOf(keys[top - r])] = kept[r];
    }
  }

  /**
   * One key per token, unique, that sorts ascending as the descending-probability order read
   * backwards: the float bits of the probability (non-negative floats order like their bits) above
   * the inverted index, so the lower index comes first on ties.
   */
  private static long[] orderKeys(double[] probs) {
    long[] keys = new long[probs.length];
    for (int i = 0; i < probs.length; i++) {
      long bits = Float.floatToIntBits((float) probs[i]);
      keys[i] = (bits << 32) | (Integer.MAX_VALUE - i);
    }
    return keys;
  }

  private static int indexOf(long key) {
    return Integer.MAX_VALUE - (int) (key & 0xffffffffL);
  }

  /**
   * Quickselect: afterwards the {@code count} largest keys (unique) are the last {@code count}
   * elements, in no particular order. Median-of-three pivots; a range that does not shrink fast
   * enough is finished by sorting it, so the worst case stays O(n log n).
   */
  private static void moveTopToEnd(long[] keys, int count) {
    int lo = 0;
    int hi = keys.length - 1;
    int boundary = keys.length - count; // keys[boundary..] must be the largest
    int budget = 2 * (32 - Integer.numberOfLeadingZeros(keys.length)); // ~ 2 log2(n) rounds
    while (lo < hi) {
      if (budget-- == 0) {
        Arrays.sort(keys, lo, hi + 1);
        return;
      }
      int mid = (lo + hi) >>> 1;
      long pivot = median(keys[lo], keys[mid], keys[hi]);
      int i = lo;
      int j = hi;
      while (i <= j) { // Hoare partition: [lo..j] <= pivot <= [i..hi]
        while (keys[i] < pivot) {
          i++;
        }
        while (keys[j] > pivot) {
          j--;
        }
        if (i <= j) {
          long t = keys[i];
          keys[i++] = keys[j];
          keys[j--] = t;
        }
      }
      if (boundary <= j) {
        hi = j;
      } else if (boundary >= i) {
        lo = i;
      } else {
        return; // the boundary lies between the halves: keys[j+1..i-1] equal the pivot
      }
    }
  }

  private static long median(long a, long b, long c) {
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }

  private static void requireLogits(float[] logits) {
    if (logits == null || logits.length == 0) {
      throw new IllegalArgumentException("logits must hold at least one value");
    }
    for (int i = 0; i < logits.length; i++) {
      if (Float.isNaN(logits[i]) || logits[i] == Float.POSITIVE_INFINITY) {
        throw new IllegalArgumentException(
            "logits[" + i + "] must be finite or -Infinity, got " + logits[i]);
      }
    }
  }
}
