package dev.tandem.verifier.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.speccore.ChiSquare;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SamplingTransform;
import dev.tandem.speccore.SparseDistribution;
import dev.tandem.speccore.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Acceptance over top-N rows: greedy picks the server's argmax; sampling reproduces the top-N
 * renormalised target (and nothing outside it), whatever the draft distribution.
 */
class TruncatedAcceptanceTest {

  /** A model distribution over 6 tokens; its top 3 hold 0.8 of the mass. */
  private static final double[] P = {0.4, 0.25, 0.15, 0.1, 0.06, 0.04};

  private static final int TOP_N = 3;

  private static TopLogprobs row(double[] p, int topN) {
    List<TopLogprobs.Candidate> candidates = new ArrayList<>();
    for (int token = 0; token < p.length; token++) {
      candidates.add(
          new TopLogprobs.Candidate(token, (float) Math.log(p[token]), Integer.MAX_VALUE));
    }
    return TopLogprobs.best(candidates, topN);
  }

  private static TopLogprobs best(int token) {
    return new TopLogprobs(new int[] {token, 0}, new float[] {-0.1f, -3f});
  }

  @Test
  void topLogprobsKeepTheBestNByRankThenLogprob() {
    TopLogprobs ranked =
        TopLogprobs.best(
            List.of(
                new TopLogprobs.Candidate(9, -5f, 40), // the actual token, outside the top 2
                new TopLogprobs.Candidate(4, -1f, 2),
                new TopLogprobs.Candidate(7, -0.5f, 1)),
            2);
    assertEquals(7, ranked.best());
    assertEquals(List.of(7, 4), java.util.Arrays.stream(ranked.tokens()).boxed().toList());
    assertEquals(List.of(0, 1, 2), java.util.Arrays.stream(row(P, 3).tokens()).boxed().toList());
  }

  @Test
  void greedyAcceptsWhileTheDraftIsTheArgmaxThenCorrects() {
    ScoredSequence scored =
        new ScoredSequence(new TopLogprobs[] {best(3), best(4), best(5)}, best(1), 1);
    assertEquals(
        new Verdict(2, 5),
        TruncatedAcceptance.greedy(DraftBlock.greedy(new int[] {3, 4, 2}), scored));
    assertEquals(
        new Verdict(0, 3),
        TruncatedAcceptance.greedy(DraftBlock.greedy(new int[] {2, 4, 5}), scored));
  }

  @Test
  void greedyFullAcceptEmitsTheGeneratedToken() {
    ScoredSequence scored = new ScoredSequence(new TopLogprobs[] {best(3), best(4)}, best(1), 1);
    assertEquals(
        new Verdict(2, 1), TruncatedAcceptance.greedy(DraftBlock.greedy(new int[] {3, 4}), scored));
  }

  /**
   * 20,000 one-token steps with a draft q that puts half its mass outside the top 3: the emitted
   * token must follow the top-3 target renormalised (chi-square, p > 1e-4: a correct sampler fails
   * 1 run in 10,000), and never be a token outside it.
   */
  @Test
  void samplingEmitsTheTopNRenormalisedTarget() {
    SparseDistribution q =
        new SparseDistribution(new int[] {0, 3, 1}, new float[] {0.2f, 0.5f, 0.3f});
    TopLogprobs target = row(P, TOP_N);
    ScoredSequence scored = new ScoredSequence(new TopLogprobs[] {target}, target, 0);
    SamplingParams params = new SamplingParams(1f, 1f, 0, 0);
    SplittableRandom drafting = new SplittableRandom(11);
    SplittableRandom accepting = new SplittableRandom(12);
    long[] observed = new long[TOP_N];
    int samples = 20_000;
    for (int i = 0; i < samples; i++) {
      int x = SamplingTransform.sample(q, drafting);
      Verdict verdict =
          TruncatedAcceptance.sampled(
              new DraftBlock(new int[] {x}, new SparseDistribution[] {q}),
              scored,
              params,
              accepting);
      int emitted = verdict.acceptedCount() == 1 ? x : verdict.nextToken();
      assertTrue(emitted < TOP_N, "emitted token " + emitted + " is outside the top " + TOP_N);
      observed[emitted]++;
    }
    double kept = P[0] + P[1] + P[2];
    ChiSquare.Outcome outcome =
        ChiSquare.test(observed, new double[] {P[0] / kept, P[1] / kept, P[2] / kept});
    assertTrue(outcome.pValue() > 1e-4, outcome.toString());
  }

  @Test
  void optionsRejectNonsenseWithWhatIsAllowed() {
    IllegalArgumentException v1 =
        assertThrows(
            IllegalArgumentException.class,
            () -> OpenAiVerifierOptions.of("http://h:8000/v1", "m"));
    assertTrue(v1.getMessage().contains("drop the trailing /v1"), v1.getMessage());
    assertThrows(IllegalArgumentException.class, () -> OpenAiVerifierOptions.of("ftp://h", "m"));
    assertThrows(
        IllegalArgumentException.class,
        () -> OpenAiVerifierOptions.of("http://h", "m").withTopN(0));
    assertEquals(
        "http://h:8000/v1/completions",
        OpenAiVerifierOptions.of("http://h:8000/", "m").completionsUrl());
    assertThrows(
        IllegalArgumentException.class,
        () -> OpenAiVerifierOptions.of("http://h", "m").withMaxConnections(0));
    assertEquals(LogprobsMode.ECHO, LogprobsMode.parse("echo"));
    IllegalArgumentException mode =
        assertThrows(IllegalArgumentException.class, () -> LogprobsMode.parse("full"));
    assertEquals("logprobs_mode must be prompt_logprobs or echo, got full", mode.getMessage());
  }
}
