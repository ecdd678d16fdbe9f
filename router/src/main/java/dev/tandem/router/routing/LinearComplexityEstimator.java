package dev.tandem.router.routing;

import dev.tandem.router.format.Decimals;

/**
 * The default estimator: a logistic function of a weighted sum of the draft model's prompt loss,
 * mean entropy and next-token entropy (free: the drafter prefills the prompt anyway) and the cheap
 * text features of {@link PromptFeatures}:
 *
 * <pre>
 *   score = σ(bias + w_nll·nll + w_entropy·entropy + w_next·next_entropy + w_code·code
 *             + w_question·question + w_chat·chat + w_length·log(1+n))
 * </pre>
 *
 * Higher scores mean the large tier is expected to gain more on this prompt. Without the draft
 * model's view (no draft model configured) the loss terms are left out. The weights that ship
 * ({@link #DEFAULT}) were fitted and tested on the routing evaluation set, see BENCHMARKS.md
 * (routing evaluation) for how and how well it separates.
 *
 * <p>Immutable; thread-safe.
 */
public record LinearComplexityEstimator(
    double bias,
    double nll,
    double entropy,
    double nextEntropy,
    double code,
    double question,
    double chat,
    double length)
    implements ComplexityEstimator {

  /**
   * Fitted by {@code ./tandem bench cost} on the training split of fixtures/routing (432 prompts
   * from text the fixture models never saw): least squares on the rank of the large tier's quality
   * gain (0 = the prompt gaining least, 1 = most) over the draft's next-token entropy, code density
   * and log length, the candidate with the best 5-fold cross-validated share of the gap on that
   * split; scaled as σ(10 · (predicted rank − 0.5)). The draft's mean prompt loss and entropy,
   * question structure and chat turns are left out (weight 0): candidates with them did no better
   * out of sample (BENCHMARKS.md, routing evaluation).
   */
  public static final LinearComplexityEstimator DEFAULT =
      new LinearComplexityEstimator(1.864, 0, 0, 0.145, -5.858, 0, 0, -0.402);

  public LinearComplexityEstimator {
    for (double w : new double[] {bias, nll, entropy, nextEntropy, code, question, chat, length}) {
      if (!Double.isFinite(w)) {
        throw new IllegalArgumentException("estimator weights must be finite, got " + w);
      }
    }
  }

  @Override
  public Complexity estimate(PromptSignals s) {
    double codeDensity = PromptFeatures.codeDensity(s.text());
    double questionScore = PromptFeatures.questionScore(s.text());
    double chatTurn = PromptFeatures.chatTurn(s.text());
    double logLength = PromptFeatures.logLength(s.promptTokens());
    double z =
        bias + code * codeDensity + question * questionScore + chat * chatTurn + length * logLength;
    // The basis is built for every routed request: appended, not String.format'ted (Decimals).
    StringBuilder basis = new StringBuilder(96);
    if (s.hasDraftLoss()) {
      z +=
          nll * s.draftMeanNll()
              + entropy * s.draftMeanEntropy()
              + nextEntropy * s.draftNextEntropy();
      Decimals.append(basis.append("draft_nll="), s.draftMeanNll(), 3).append(" draft_entropy=");
      Decimals.append(basis, s.draftMeanEntropy(), 3).append(" draft_next_entropy=");
      Decimals.append(basis, s.draftNextEntropy(), 3).append(' ');
    }
    Decimals.append(basis.append("code="), codeDensity, 3).append(" question=");
    Decimals.append(basis, questionScore, 0).append(" chat=");
    Decimals.append(basis, chatTurn, 0).append(" tokens=").append(s.promptTokens());
    return new Complexity(1 / (1 + Math.exp(-z)), basis.toString());
  }
}
