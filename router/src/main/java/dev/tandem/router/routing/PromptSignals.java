package dev.tandem.router.routing;

/**
 * What is known about a prompt before a tier is chosen, all of it free or nearly so.
 *
 * @param text the rendered prompt
 * @param promptTokens its length in tokens
 * @param draftMeanNll the draft model's mean negative log-likelihood (nats per token) of the
 *     prompt's own tokens, from the prefill the drafter runs anyway; NaN when unknown
 * @param draftMeanEntropy the draft model's mean predictive entropy (nats) over the prompt's
 *     positions; NaN when unknown
 * @param draftNextEntropy the entropy (nats) of the draft model's distribution for the first token
 *     after the prompt (the last logits of the same forward); NaN when unknown
 */
public record PromptSignals(
    String text,
    int promptTokens,
    double draftMeanNll,
    double draftMeanEntropy,
    double draftNextEntropy) {

  public PromptSignals {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    if (promptTokens < 0) {
      throw new IllegalArgumentException("promptTokens must be >= 0, got " + promptTokens);
    }
  }

  /** Signals without a draft model's view (cheap features only). */
  public static PromptSignals textOnly(String text, int promptTokens) {
    return new PromptSignals(text, promptTokens, Double.NaN, Double.NaN, Double.NaN);
  }

  public boolean hasDraftLoss() {
    return !Double.isNaN(draftMeanNll)
        && !Double.isNaN(draftMeanEntropy)
        && !Double.isNaN(draftNextEntropy);
  }
}
