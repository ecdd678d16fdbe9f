package dev.tandem.bench.cost;

import dev.tandem.router.routing.PromptFeatures;
import dev.tandem.router.routing.PromptSignals;
import java.util.List;

/**
 * A prompt measured on both tiers.
 *
 * @param c the prompt
 * @param promptTokens prompt length (BOS included)
 * @param continuationTokens scored continuation length
 * @param draftNll the small (draft) model's mean NLL of the prompt: the free signal
 * @param draftEntropy the small model's mean entropy over the prompt
 * @param draftNextEntropy the small model's entropy of the first continuation token's distribution
 *     (the last prompt position: also free)
 * @param qualitySmall the small tier's mean log-likelihood of the true continuation
 * @param qualityLarge the large tier's
 * @param gainEven the large tier's gain over the even-numbered continuation tokens only
 * @param gainOdd over the odd-numbered ones (with {@code gainEven}: how much of the gain is noise)
 */
record ScoredCase(
    RoutingCase c,
    int promptTokens,
    int continuationTokens,
    double draftNll,
    double draftEntropy,
    double draftNextEntropy,
    double qualitySmall,
    double qualityLarge,
    double gainEven,
    double gainOdd) {

  /** The signals' names, in the order of {@link #features}. */
  static final List<String> SIGNALS =
      List.of(
          "draft_nll",
          "draft_entropy",
          "draft_next_entropy",
          "code",
          "question",
          "chat",
          "log_length");

  /** How much serving on the large tier improves this prompt. */
  double gain() {
    return qualityLarge - qualitySmall;
  }

  /** What the router's estimator sees of this prompt. */
  PromptSignals signals() {
    return new PromptSignals(c.text(), promptTokens, draftNll, draftEntropy, draftNextEntropy);
  }

  int tokens() {
    return promptTokens + continuationTokens;
  }

  /** Every signal, in the order of {@link #SIGNALS}. */
  double[] features() {
    return new double[] {
      draftNll,
      draftEntropy,
      draftNextEntropy,
      PromptFeatures.codeDensity(c.text()),
      PromptFeatures.questionScore(c.text()),
      PromptFeatures.chatTurn(c.text()),
      PromptFeatures.logLength(promptTokens)
    };
  }
}
