package dev.tandem.bench.cost;

import dev.tandem.router.routing.PromptFeatures;

/**
 * A workload prompt measured on both tiers.
 *
 * @param c the prompt
 * @param promptTokens prompt length (BOS included)
 * @param continuationTokens scored continuation length
 * @param draftNll the small (draft) model's mean NLL of the prompt: the free signal
 * @param draftEntropy the small model's mean entropy over the prompt
 * @param qualitySmall the small tier's mean log-likelihood of the true continuation
 * @param qualityLarge the large tier's
 */
record ScoredCase(
    RoutingCase c,
    int promptTokens,
    int continuationTokens,
    double draftNll,
    double draftEntropy,
    double qualitySmall,
    double qualityLarge) {

  /** How much serving on the large tier improves this prompt. */
  double gain() {
    return qualityLarge - qualitySmall;
  }

  /** Features, in the estimator's order: nll, entropy, code, question, log length. */
  double[] features() {
    return new double[] {
      draftNll,
      draftEntropy,
      PromptFeatures.codeDensity(c.text()),
      PromptFeatures.questionScore(c.text()),
      PromptFeatures.logLength(promptTokens)
    };
  }
}
