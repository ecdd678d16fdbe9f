package dev.tandem.speccore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@link SamplingTransform} against a deliberately naive reference written here in double precision
 * (boxed sort, explicit loops). Tolerance 1e-6 absolute per probability: the implementation rounds
 * its double result to float once (error below 6e-8) and the reference has no other source of
 * difference.
 */
class SamplingTransformTest {

  private static final double TOLERANCE = 1e-6;

  /** softmax(logits / T) -> keep top-k -> renormalise -> keep top-p prefix -> renormalise. */
  static double[] reference(float[] logits, double temperature, int topK, double topP) {
    int n = logits.length;
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double[] p = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      p[i] = Math.exp((logits[i] - max) / temperature);
      sum += p[i];
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      p[i] /= sum;
      order.add(i);
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i));
    int keep = topK == 0 ? n : Math.min(topK, n);
    double kept = 0;
    for (int r = 0; r < keep; r++) {
      kept += p[order.get(r)];
    }
    double cumulative = 0;
    int nucleus = 0;
    while (nucleus < keep && cumulative / kept < topP) {
      cumulative += p[order.get(nucleus++)];
    }
    double[] out = new double[n];
    for (int r = 0; r < nucleus; r++) {
      out[order.get(r)] = p[order.get(r)] / cumulative;
    }
    return out;
  }

  @Test
  void matchesTheReferenceOverTemperaturesTopKAndTopP() {
    SplittableRandom rng = new SplittableRandom(3);
    float[] temperatures = {0.1f, 0.5f, 0.8f, 1f, 1.7f, 2f};
    int[] topKs = {0, 1, 3, 10, 49, 50, 80};
    float[] topPs = {0.05f, 0.5f, 0.9f, 0.99f, 1f};
    for (int trial = 0; trial < 20; trial++) {
      float[] logits = new float[50];
      for (int i = 0; i < logits.length; i++) {
        logits[i] = (float) (rng.nextGaussian() * (trial % 4 + 1));
      }
      for (float t : temperatures) {
        for (int k : topKs) {
          for (float p : topPs) {
            float[] actual =
                SamplingTransform.probabilities(logits, new SamplingParams(t, p, k, 0));
            double[] expected = reference(logits, t, k, p);
            for (int i = 0; i < logits.length; i++) {
              assertEquals(expected[i], actual[i], TOLERANCE, "T=" + t + " k=" + k + " p=" + p);
            }
          }
        }
      }
    }
  }

  /**
   * A vocabulary of 2,048 with many tied logits (rounded to a coarse grid) and top-k cut-offs that
   * fall inside tie groups: top-k selects and sorts only the head of the order, which must keep
   * exactly the tokens the reference's full sort keeps.
   */
  @Test
  void topKOnALargeVocabularyWithTiesKeepsTheReferenceSupport() {
    SplittableRandom rng = new SplittableRandom(11);
    int[] topKs = {1, 2, 7, 50, 51, 500, 2047, 2048, 4000};
    float[] topPs = {0.3f, 0.95f, 1f};
    for (int trial = 0; trial < 12; trial++) {
      float[] logits = new float[2048];
      double grid = trial % 3 == 0 ? 0.25 : 0.01;
      for (int i = 0; i < logits.length; i++) {
        logits[i] = (float) (Math.rint(rng.nextGaussian() * (trial % 4 + 1) / grid) * grid);
      }
      for (int k : topKs) {
        for (float p : topPs) {
          float[] actual =
              SamplingTransform.probabilities(logits, new SamplingParams(0.8f, p, k, 0));
          double[] expected = reference(logits, 0.8f, k, p);
          for (int i = 0; i < logits.length; i++) {
            String where = "trial " + trial + " k=" + k + " p=" + p + " token " + i;
            assertEquals(expected[i] != 0, actual[i] != 0f, where);
            assertEquals(expected[i], actual[i], TOLERANCE, where);
          }
        }
      }
    }
  }

  @Test
  void isStableForHugeLogitsAndHonoursMaskedOnes() {
    float[] logits = {1000f, 999f, Float.NEGATIVE_INFINITY, -1000f};
    float[] probs = SamplingTransform.probabilities(logits, new SamplingParams(1f, 1f, 0, 0));
    assertEquals(1 / (1 + Math.exp(-1)), probs[0], 1e-6);
    assertEquals(0f, probs[2]);
    assertEquals(0f, probs[3]);
  }

  @Test
  void greedyIsOneHotArgmaxWithLowestIndexOnTies() {
    float[] logits = {1f, 3f, 3f, 2f};
    assertEquals(1, SamplingTransform.argmax(logits));
    assertArrayEquals(
        new float[] {0, 1, 0, 0}, SamplingTransform.probabilities(logits, SamplingParams.GREEDY));
  }

  @Test
  void topKBreaksTiesTowardTheLowerTokenId() {
    float[] logits = {0f, 1f, 1f, 1f};
    float[] probs = SamplingTransform.probabilities(logits, new SamplingParams(1f, 1f, 2, 0));
    assertArrayEquals(new float[] {0, 0.5f, 0.5f, 0}, probs);
  }

  @Test
  void sparseKeepsTheNonzeroEntries() {
    SparseDistribution sparse = SamplingTransform.sparse(new float[] {0f, 0.25f, 0f, 0.75f});
    assertArrayEquals(new int[] {1, 3}, sparse.tokens());
    assertArrayEquals(new float[] {0.25f, 0.75f}, sparse.probs());
  }

  @Test
  void sampleInvertsTheCumulativeDistribution() {
    float[] probs = {0f, 0.25f, 0f, 0.75f};
    assertEquals(1, SamplingTransform.sample(probs, fixed(0.0)));
    assertEquals(1, SamplingTransform.sample(probs, fixed(0.2499)));
    assertEquals(3, SamplingTransform.sample(probs, fixed(0.25)));
    assertEquals(3, SamplingTransform.sample(probs, fixed(0.999999)));
    assertEquals(3, SamplingTransform.sample(SamplingTransform.sparse(probs), fixed(0.5)));
  }

  @Test
  void rejectsLogitsWithNoUsableValue() {
    var params = new SamplingParams(1f, 1f, 0, 0);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SamplingTransform.probabilities(new float[] {Float.NaN}, params));
    assertTrue(e.getMessage().contains("logits[0]"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> SamplingTransform.probabilities(new float[] {Float.NEGATIVE_INFINITY}, params));
    assertThrows(IllegalArgumentException.class, () -> SamplingTransform.argmax(new float[0]));
    assertThrows(
        IllegalArgumentException.class,
        () -> SamplingTransform.sample(new float[] {0f, 0f}, new SplittableRandom(1)));
  }

  /** A generator whose nextDouble() is always {@code value}: makes inverse-CDF draws exact. */
  static RandomGenerator fixed(double value) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        throw new UnsupportedOperationException("only nextDouble is scripted");
      }

      @Override
      public double nextDouble() {
        return value;
      }
    };
  }
}
