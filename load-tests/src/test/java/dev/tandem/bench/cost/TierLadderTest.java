package dev.tandem.bench.cost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Three tiers behind one score: which thresholds the search picks within a cost fraction. */
class TierLadderTest {

  static final double[] SCORES = {0.1, 0.2, 0.8, 0.9};

  /** Four prompts of 10 tokens; tiny is worst everywhere, large gains only on the last two. */
  static List<Measured> cases() {
    double[][] quality = {{-5, -4, -4}, {-5, -4, -4}, {-5, -4, -3}, {-5, -4, -3}};
    return Arrays.stream(new int[] {0, 1, 2, 3})
        .mapToObj(
            i ->
                new Measured(
                    new RoutingCase("p" + i, "code", i, "x", "y", 8),
                    5,
                    0,
                    0,
                    0,
                    Map.of(
                        "tiny", constant(quality[i][0]),
                        "small", constant(quality[i][1]),
                        "large", constant(quality[i][2]))))
        .toList();
  }

  static double[] constant(double v) {
    double[] lp = new double[5];
    Arrays.fill(lp, v);
    return lp;
  }

  @Test
  void withHalfTheCostTheBestSplitSkipsTinyAndSendsTheTopPromptToLarge() {
    TierLadder ladder = new TierLadder(TierPair.TIERS);
    TierLadder.Outcome three = ladder.fit(cases(), SCORES, 0.5, true);
    // two prompts on large would cost 57.5 %; one costs 36.25 % and gains 1 nat on it
    assertArrayEquals(new int[] {0, 3, 1}, three.served());
    assertArrayEquals(new double[] {0, 0.85}, three.thresholds(), 1e-12);
    assertEquals((0.15 * 3 + 1) / 4, three.costFraction(), 1e-12);
    assertEquals(-3.75, three.quality(), 1e-12);
    TierLadder.Outcome two = ladder.fit(cases(), SCORES, 0.5, false);
    assertArrayEquals(three.served(), two.served());
  }

  @Test
  void belowTheMiddleTiersOwnCostOnlyTheThreeTierSplitFits() {
    TierLadder ladder = new TierLadder(TierPair.TIERS);
    assertNull(ladder.fit(cases(), SCORES, 0.10, false), "small alone costs 15 %");
    TierLadder.Outcome three = ladder.fit(cases(), SCORES, 0.10, true);
    assertArrayEquals(new int[] {2, 2, 0}, three.served());
    assertArrayEquals(new double[] {0.5, 1.0}, three.thresholds(), 1e-12);
    assertEquals(0.10, three.costFraction(), 1e-12);
    assertEquals(-4.5, three.quality(), 1e-12);
  }

  @Test
  void thresholdsRouteAsTheRouterDoes() {
    TierLadder ladder = new TierLadder(TierPair.TIERS);
    // a score equal to a tier's max_complexity stays on that tier
    TierLadder.Outcome o = ladder.apply(cases(), SCORES, 0.1, 0.8);
    assertArrayEquals(new int[] {1, 2, 1}, o.served());
  }
}
