package dev.tandem.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Sampler.Sample;
import dev.tandem.speccore.SamplingParams;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
  // probabilities at T=1 of these logits: 0.4, 0.3, 0.15, 0.1, 0.05 (ids 3, 0, 4, 1, 2)
  private static final float[] LOGITS = {
    (float) Math.log(0.3),
    (float) Math.log(0.1),
    (float) Math.log(0.05),
    (float) Math.log(0.4),
    (float) Math.log(0.15)
  };

  private static int[] draw(SamplingParams p, int n) {
    Sampler s = new Sampler(p);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = s.sample(LOGITS).token();
    }
    return out;
  }

  @Test
  void greedyIsArgmaxWithPointMass() {
    Sample s = new Sampler(SamplingParams.GREEDY).sample(LOGITS);
    assertEquals(3, s.token());
    assertArrayEquals(new int[] {3}, s.distribution().tokens());
    assertArrayEquals(new float[] {1f}, s.distribution().probs());
  }

  @Test
  void sameSeedSameTokensOtherSeedOtherTokens() {
    SamplingParams a = new SamplingParams(1f, 1f, 0, 42);
    SamplingParams b = new SamplingParams(1f, 1f, 0, 43);
    assertArrayEquals(draw(a, 200), draw(a, 200));
    assertTrue(!Arrays.equals(draw(a, 200), draw(b, 200)));
  }

  @Test
  void topKKeepsTheKMostProbableTokens() {
    SamplingParams p = new SamplingParams(1f, 1f, 2, 7);
    Sample s = new Sampler(p).sample(LOGITS);
    assertArrayEquals(new int[] {0, 3}, s.distribution().tokens());
    assertEquals(0.3f / 0.7f, s.distribution().prob(0), 1e-5);
    assertEquals(0.4f / 0.7f, s.distribution().prob(3), 1e-5);
    Set<Integer> seen = new HashSet<>();
    for (int t : draw(p, 2000)) {
      seen.add(t);
    }
    assertEquals(Set.of(0, 3), seen);
  }

  @Test
  void topPKeepsTheSmallestNucleusReachingP() {
    // 0.4 + 0.3 = 0.7 < 0.75 <= 0.85 = 0.4 + 0.3 + 0.15: three tokens
    SamplingParams p = new SamplingParams(1f, 0.75f, 0, 7);
    Sample s = new Sampler(p).sample(LOGITS);
    assertArrayEquals(new int[] {0, 3, 4}, s.distribution().tokens());
    assertEquals(0.15f / 0.85f, s.distribution().prob(4), 1e-5);
    Set<Integer> seen = new HashSet<>();
    for (int t : draw(p, 2000)) {
      seen.add(t);
    }
    assertEquals(Set.of(0, 3, 4), seen);
  }

  @Test
  void sampledFrequenciesFollowTheDistribution() {
    // 20k draws at T=1; each frequency within 5 standard deviations (sd <= 0.0035): a correct
    // sampler fails this with probability < 1e-5.
    int n = 20_000;
    int[] counts = new int[LOGITS.length];
    for (int t : draw(new SamplingParams(1f, 1f, 0, 1234), n)) {
      counts[t]++;
    }
    double[] expected = {0.3, 0.1, 0.05, 0.4, 0.15};
    for (int i = 0; i < expected.length; i++) {
      double sd = Math.sqrt(expected[i] * (1 - expected[i]) / n);
      assertEquals(expected[i], counts[i] / (double) n, 5 * sd, "token " + i);
    }
  }
}
