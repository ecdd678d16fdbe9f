package dev.tandem.speccore;

import static dev.tandem.speccore.SamplingTransformTest.fixed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The acceptance rules step by step, with scripted randomness; the distributions are checked in
 * {@link SamplingExactnessTest}.
 */
class AcceptanceSamplerTest {

  private static final SamplingParams SAMPLED = new SamplingParams(1f, 1f, 0, 0);
  //                                          token:  0     1     2     3
  private static final float[] ROW_A = {0.1f, 0.6f, 0.3f, 0.0f};
  private static final float[] ROW_B = {0.0f, 0.0f, 0.2f, 0.8f};
  private static final float[] ROW_C = {0.5f, 0.0f, 0.0f, 0.5f};

  @Test
  void greedyAcceptsTheMatchingPrefixThenCorrects() {
    float[][] target = {ROW_A, ROW_B, ROW_C}; // argmaxes 1, 3, 0
    assertEquals(
        new Verdict(1, 3),
        accept(DraftBlock.greedy(new int[] {1, 2}), target, SamplingParams.GREEDY));
    assertEquals(
        new Verdict(0, 1),
        accept(DraftBlock.greedy(new int[] {0, 3}), target, SamplingParams.GREEDY));
  }

  @Test
  void greedyFullAcceptEmitsTheBonusToken() {
    float[][] target = {ROW_A, ROW_B, ROW_C};
    assertEquals(
        new Verdict(2, 0),
        accept(DraftBlock.greedy(new int[] {1, 3}), target, SamplingParams.GREEDY));
  }

  @Test
  void anEmptyDraftIsAPlainDecodingStep() {
    assertEquals(
        new Verdict(0, 1),
        accept(DraftBlock.empty(), new float[][] {ROW_A}, SamplingParams.GREEDY));
    assertEquals(
        new Verdict(0, 2),
        AcceptanceSampler.accept(DraftBlock.empty(), new float[][] {ROW_A}, SAMPLED, fixed(0.8)));
  }

  @Test
  void aTokenTheTargetLikesMoreThanTheDraftIsAlwaysAccepted() {
    // p(1) = 0.6 >= q(1) = 0.5: accepted even for u just below 1; then bonus from row B.
    DraftBlock draft = new DraftBlock(new int[] {1}, new SparseDistribution[] {half(1, 2)});
    Verdict verdict =
        AcceptanceSampler.accept(draft, new float[][] {ROW_A, ROW_B}, SAMPLED, fixed(0.999));
    assertEquals(new Verdict(1, 3), verdict);
  }

  @Test
  void aRejectedTokenIsReplacedFromTheResidual() {
    // q = {2: 0.5, 3: 0.5}; draft 2 has p/q = 0.6, u = 0.7 rejects it.
    // residual max(0, p - q) = {0: 0.1, 1: 0.6, 2: 0, 3: 0} -> normalised {1/7, 6/7, 0, 0}:
    // a second u below 1/7 draws token 0, above it token 1.
    DraftBlock draft = new DraftBlock(new int[] {2}, new SparseDistribution[] {half(2, 3)});
    float[][] target = {ROW_A, ROW_B};
    // u = 0.5 accepts (0.5 < 0.6), then the bonus token comes from row B.
    assertEquals(
        new Verdict(1, 3), AcceptanceSampler.accept(draft, target, SAMPLED, scripted(0.5, 0.5)));
    assertEquals(
        new Verdict(0, 0), AcceptanceSampler.accept(draft, target, SAMPLED, scripted(0.7, 0.1)));
    assertEquals(
        new Verdict(0, 1), AcceptanceSampler.accept(draft, target, SAMPLED, scripted(0.7, 0.2)));
  }

  @Test
  void anEmptyResidualFallsBackToTheTarget() {
    // p == q exactly: rejection has probability 0 in exact arithmetic; force it with u = p/q.
    SparseDistribution q = SamplingTransform.sparse(ROW_A);
    DraftBlock draft = new DraftBlock(new int[] {2}, new SparseDistribution[] {q});
    Verdict verdict =
        AcceptanceSampler.accept(draft, new float[][] {ROW_A, ROW_B}, SAMPLED, scripted(1.0, 0.05));
    assertEquals(new Verdict(0, 0), verdict);
  }

  @Test
  void rejectsTargetRowsThatDoNotFitTheDraft() {
    DraftBlock draft = DraftBlock.greedy(new int[] {1, 2});
    var wrongRows =
        assertThrows(
            IllegalArgumentException.class, () -> accept(draft, new float[][] {ROW_A}, SAMPLED));
    assertTrue(
        wrongRows.getMessage().contains("targetProbs must have k + 1 = 3 rows"),
        wrongRows.getMessage());
    float[] notNormalised = {0.5f, 0.1f, 0.1f, 0.1f};
    var badSum =
        assertThrows(
            IllegalArgumentException.class,
            () -> accept(draft, new float[][] {ROW_A, notNormalised, ROW_C}, SAMPLED));
    assertTrue(badSum.getMessage().contains("targetProbs[1] must sum to 1"), badSum.getMessage());
    var outOfVocab =
        assertThrows(
            IllegalArgumentException.class,
            () -> accept(DraftBlock.greedy(new int[] {7}), new float[][] {ROW_A, ROW_B}, SAMPLED));
    assertTrue(outOfVocab.getMessage().contains("tokens[0]"), outOfVocab.getMessage());
  }

  private static Verdict accept(DraftBlock draft, float[][] target, SamplingParams params) {
    return AcceptanceSampler.accept(draft, target, params, new SplittableRandom(1));
  }

  private static SparseDistribution half(int a, int b) {
    return new SparseDistribution(new int[] {a, b}, new float[] {0.5f, 0.5f});
  }

  /** nextDouble() returns the given values in order. */
  private static java.util.random.RandomGenerator scripted(double... values) {
    return new java.util.random.RandomGenerator() {
      private int next;

      @Override
      public long nextLong() {
        throw new UnsupportedOperationException();
      }

      @Override
      public double nextDouble() {
        return values[next++];
      }
    };
  }

  @Test
  void greedyFromLogitsDecidesAsGreedyFromProbabilities() {
    SplittableRandom random = new SplittableRandom(7);
    for (int trial = 0; trial < 500; trial++) {
      int k = random.nextInt(5);
      float[][] logits = new float[k + 1][6];
      float[][] probs = new float[k + 1][];
      for (int i = 0; i <= k; i++) {
        for (int v = 0; v < 6; v++) {
          logits[i][v] = random.nextInt(4); // small range: ties are frequent
        }
        probs[i] = SamplingTransform.probabilities(logits[i], SamplingParams.GREEDY);
      }
      int[] draft = new int[k];
      for (int i = 0; i < k; i++) {
        draft[i] = random.nextInt(6);
      }
      DraftBlock block = DraftBlock.greedy(draft);
      assertEquals(
          AcceptanceSampler.accept(block, probs, SamplingParams.GREEDY, random),
          AcceptanceSampler.acceptGreedyLogits(block, logits));
    }
  }
}
