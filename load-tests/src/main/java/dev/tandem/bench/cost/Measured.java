package dev.tandem.bench.cost;

import dev.tandem.router.routing.PromptSignals;
import java.util.Map;

/**
 * A prompt measured on several tiers: the drafter's view of the prompt (the router's free signals)
 * and each tier's log-likelihood of every scored continuation token. {@link #on} turns it into the
 * {@link ScoredCase} of one pair of tiers.
 *
 * @param c the prompt
 * @param promptTokens prompt length (BOS included)
 * @param draftNll the drafter's mean NLL of the prompt
 * @param draftEntropy the drafter's mean entropy over the prompt
 * @param draftNextEntropy the drafter's entropy of the first continuation token's distribution
 * @param logProb per tier name: its log-probability of each scored continuation token
 */
record Measured(
    RoutingCase c,
    int promptTokens,
    double draftNll,
    double draftEntropy,
    double draftNextEntropy,
    Map<String, double[]> logProb) {

  /** What the router's estimator sees of this prompt. */
  PromptSignals signals() {
    return new PromptSignals(c.text(), promptTokens, draftNll, draftEntropy, draftNextEntropy);
  }

  int continuationTokens() {
    return logProb.values().iterator().next().length;
  }

  /** The tier's quality: mean log-likelihood of the continuation. */
  double quality(String tier) {
    double[] lp = tierLogProb(tier);
    double sum = 0;
    for (double v : lp) {
      sum += v;
    }
    return sum / lp.length;
  }

  /** This prompt as one pair of tiers sees it (both must have been measured). */
  ScoredCase on(TierPair pair) {
    double[] s = tierLogProb(pair.small().name());
    double[] l = tierLogProb(pair.large().name());
    double[] halves = new double[2]; // gain summed over even / odd continuation tokens
    for (int i = 0; i < s.length; i++) {
      halves[i % 2] += l[i] - s[i];
    }
    int even = (s.length + 1) / 2;
    int odd = s.length / 2;
    return new ScoredCase(
        c,
        promptTokens,
        s.length,
        draftNll,
        draftEntropy,
        draftNextEntropy,
        quality(pair.small().name()),
        quality(pair.large().name()),
        halves[0] / even,
        odd > 0 ? halves[1] / odd : halves[0] / even);
  }

  private double[] tierLogProb(String tier) {
    double[] lp = logProb.get(tier);
    if (lp == null) {
      throw new IllegalArgumentException("tier " + tier + " was not measured");
    }
    return lp;
  }
}
