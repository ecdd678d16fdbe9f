package dev.tandem.router.routing;

import java.util.Locale;

/**
 * The default estimator: a logistic function of a weighted sum of the draft model's prompt loss and
 * entropy (free: the drafter prefills the prompt anyway) and the cheap text features of {@link
 * PromptFeatures}:
 *
 * <pre>
 *   score = σ(bias + w_nll·nll + w_entropy·entropy + w_code·code + w_question·question + w_length·log(1+n))
 * </pre>
 *
 * Higher scores mean the large tier is expected to gain more on this prompt. Without the draft
 * model's view (no draft model configured) the loss terms are left out. The weights that ship
 * ({@link #DEFAULT}) were measured on the fixture workloads, see BENCHMARKS.md (routing evaluation)
 * for how and how well it separates.
 *
 * <p>Immutable; thread-safe.
 */
public record LinearComplexityEstimator(
    double bias, double nll, double entropy, double code, double question, double length)
    implements ComplexityEstimator {

  /**
   * Ten times the least-squares fit of the large tier's quality gain (nats per token of the true
   * continuation) on the fixture workloads' 96 prompts (see the routing evaluation in
   * BENCHMARKS.md): σ(10 · predicted gain), so that scores spread over (0, 1).
   */
  public static final LinearComplexityEstimator DEFAULT =
      new LinearComplexityEstimator(4.645, -1.424, 1.093, -12.544, 0.047, -0.320);

  public LinearComplexityEstimator {
    for (double w : new double[] {bias, nll, entropy, code, question, length}) {
      if (!Double.isFinite(w)) {
        throw new IllegalArgumentException("estimator weights must be finite, got " + w);
      }
    }
  }

  @Override
  public Complexity estimate(PromptSignals s) {
    double codeDensity = PromptFeatures.codeDensity(s.text());
    double questionScore = PromptFeatures.questionScore(s.text());
    double logLength = PromptFeatures.logLength(s.promptTokens());
    double z = bias + code * codeDensity + question * questionScore + length * logLength;
    String basis =
        String.format(
            Locale.ROOT,
            "code=%.3f question=%.0f tokens=%d",
            codeDensity,
            questionScore,
            s.promptTokens());
    if (s.hasDraftLoss()) {
      z += nll * s.draftMeanNll() + entropy * s.draftMeanEntropy();
      basis =
          String.format(
                  Locale.ROOT,
                  "draft_nll=%.3f draft_entropy=%.3f ",
                  s.draftMeanNll(),
                  s.draftMeanEntropy())
              + basis;
    }
    return new Complexity(1 / (1 + Math.exp(-z)), basis);
  }
}
