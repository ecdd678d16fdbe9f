package dev.tandem.speccore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With sampling, the distribution of generated sequences must be the target's own sampling
 * distribution, whatever the draft. Each case generates {@value #SAMPLES} sequences of length
 * {@value #LENGTH} over a vocabulary of {@value #VOCAB} (216 cells) and compares them with the
 * exact sequence probabilities by Pearson's chi-square.
 *
 * <p>False-failure rate: each case passes when p > {@value #P_THRESHOLD}, so a correct sampler
 * fails a case with probability 1e-4 (about 1.2e-3 for the 12 cases together); the seeds are fixed,
 * so the outcome is deterministic. Power: {@link #aBiasedAcceptanceRuleIsCaught} shows the same
 * check rejecting two classic mistakes with p far below the threshold.
 */
class SamplingExactnessTest {

  private static final int VOCAB = 6;
  private static final int LENGTH = 3;
  private static final int SAMPLES = 20_000;
  private static final double P_THRESHOLD = 1e-4;
  private static final int[] PROMPT = {3};

  private static final MarkovTable TARGET = MarkovTable.random(VOCAB, 2.0, 11);
  private static final MarkovTable GOOD_DRAFT = TARGET.perturbed(0.5, 5);
  private static final MarkovTable BAD_DRAFT = MarkovTable.random(VOCAB, 2.0, 99);

  /** The request's transform: temperature, top-k and top-p all active. */
  private static final SamplingParams TARGET_PARAMS = new SamplingParams(0.8f, 0.95f, 4, 0);

  /** Full-support draft q. */
  private static final SamplingParams DENSE_Q = new SamplingParams(1.0f, 1f, 0, 0);

  /** Draft q with two tokens of support: rejections must handle tokens q never proposes. */
  private static final SamplingParams SPARSE_Q = new SamplingParams(0.8f, 1f, 2, 0);

  record Case(int k, boolean sparse, boolean goodDraft) {
    long seedBase() {
      return 1_000_000L * (k * 4 + (sparse ? 2 : 0) + (goodDraft ? 1 : 0));
    }

    @Override
    public String toString() {
      return "k=" + k + (sparse ? " sparse-q" : " dense-q") + (goodDraft ? " good" : " bad");
    }
  }

  static Stream<Case> cases() {
    List<Case> out = new ArrayList<>();
    for (int k : new int[] {1, 2, 4}) {
      for (boolean sparse : new boolean[] {false, true}) {
        for (boolean good : new boolean[] {true, false}) {
          out.add(new Case(k, sparse, good));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void sequencesFollowTheTargetDistribution(Case c) {
    TestDrafter drafter =
        TestDrafter.fromTable(
            c.goodDraft() ? GOOD_DRAFT : BAD_DRAFT, c.sparse() ? SPARSE_Q : DENSE_Q, null);
    long[] counts = sample(drafter, new TestVerifier(TARGET, null), c.k(), c.seedBase());

    ChiSquare.Outcome outcome = compareWithTarget(counts);

    assertTrue(outcome.pValue() > P_THRESHOLD, c + ": " + outcome);
  }

  @Test
  void aBiasedAcceptanceRuleIsCaught() {
    TestDrafter drafter = TestDrafter.fromTable(BAD_DRAFT, DENSE_Q, null);
    TestVerifier.AcceptanceRule resampleFromP = SamplingExactnessTest::resampleFromTargetOnReject;
    TestVerifier.AcceptanceRule acceptAnyPossible =
        SamplingExactnessTest::acceptWheneverTargetAllows;

    for (TestVerifier.AcceptanceRule broken : List.of(resampleFromP, acceptAnyPossible)) {
      long[] counts = sample(drafter, new TestVerifier(TARGET, null, broken), 2, 7L);
      ChiSquare.Outcome outcome = compareWithTarget(counts);
      assertTrue(outcome.pValue() < P_THRESHOLD, "a biased rule passed: " + outcome);
    }
  }

  /** Generates SAMPLES sequences, each with its own seed; returns counts per sequence. */
  private static long[] sample(TestDrafter drafter, TestVerifier verifier, int k, long seedBase) {
    long[] counts = new long[(int) Math.pow(VOCAB, LENGTH)];
    for (int i = 0; i < SAMPLES; i++) {
      SamplingParams params =
          new SamplingParams(
              TARGET_PARAMS.temperature(),
              TARGET_PARAMS.topP(),
              TARGET_PARAMS.topK(),
              seedBase + i);
      CollectingSink sink = new CollectingSink();
      Runs.run(drafter, verifier, PROMPT, params, DraftLengthChooser.fixed(k), LENGTH, sink);
      int[] sequence = sink.tokens();
      assertEquals(LENGTH, sequence.length);
      counts[index(sequence)]++;
    }
    return counts;
  }

  /** Zero-probability sequences must never appear; the rest go through chi-square. */
  private static ChiSquare.Outcome compareWithTarget(long[] counts) {
    List<Long> observed = new ArrayList<>();
    List<Double> expected = new ArrayList<>();
    for (int cell = 0; cell < counts.length; cell++) {
      double probability = TARGET.sequenceProbability(PROMPT[0], sequence(cell), TARGET_PARAMS);
      if (probability == 0) {
        assertEquals(0, counts[cell], "impossible sequence generated: cell " + cell);
      } else {
        observed.add(counts[cell]);
        expected.add(probability);
      }
    }
    return ChiSquare.test(
        observed.stream().mapToLong(Long::longValue).toArray(),
        normalised(expected.stream().mapToDouble(Double::doubleValue).toArray()));
  }

  private static double[] normalised(double[] probabilities) {
    double sum = 0;
    for (double p : probabilities) {
      sum += p;
    }
    for (int i = 0; i < probabilities.length; i++) {
      probabilities[i] /= sum;
    }
    return probabilities;
  }

  private static int index(int[] sequence) {
    int index = 0;
    for (int token : sequence) {
      index = index * VOCAB + token;
    }
    return index;
  }

  private static int[] sequence(int index) {
    int[] out = new int[LENGTH];
    for (int i = LENGTH - 1; i >= 0; i--) {
      out[i] = index % VOCAB;
      index /= VOCAB;
    }
    return out;
  }

  /** Classic mistake: on rejection draw from p instead of normalize(max(0, p − q)). */
  private static Verdict resampleFromTargetOnReject(
      DraftBlock draft, float[][] target, SamplingParams params, RandomGenerator rng) {
    for (int i = 0; i < draft.size(); i++) {
      int x = draft.tokens()[i];
      if (rng.nextDouble() * draft.probs()[i].prob(x) >= target[i][x]) {
        return new Verdict(i, SamplingTransform.sample(target[i], rng));
      }
    }
    return new Verdict(draft.size(), SamplingTransform.sample(target[draft.size()], rng));
  }

  /** Classic mistake: accept any draft token the target could have produced. */
  private static Verdict acceptWheneverTargetAllows(
      DraftBlock draft, float[][] target, SamplingParams params, RandomGenerator rng) {
    for (int i = 0; i < draft.size(); i++) {
      if (target[i][draft.tokens()[i]] == 0f) {
        return new Verdict(i, SamplingTransform.sample(target[i], rng));
      }
    }
    return new Verdict(draft.size(), SamplingTransform.sample(target[draft.size()], rng));
  }
}
