package dev.tandem.router.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Logits;
import org.junit.jupiter.api.Test;

/** The free difficulty signals and the estimator that combines them. */
class ComplexityEstimatorTest {

  @Test
  void scoresAreLogSoftmaxOfTheNextTokenAndTheRowEntropy() {
    // Two positions over a vocabulary of 3; row 0 predicts token 2, row 1 predicts token 0.
    float[] data = {0f, 1f, 2f, 3f, 3f, 3f};
    PromptScorer.Scores s = PromptScorer.scores(new Logits(2, 3, data), new int[] {1, 2, 0});
    double z0 = Math.exp(0) + Math.exp(1) + Math.exp(2);
    assertEquals(2 - Math.log(z0), s.logProb()[0], 1e-6);
    assertEquals(-Math.log(3), s.logProb()[1], 1e-6); // uniform row
    double h0 = 0;
    for (int v = 0; v < 3; v++) {
      double p = Math.exp(v) / z0;
      h0 -= p * Math.log(p);
    }
    assertEquals(h0, s.entropy()[0], 1e-6);
    assertEquals(h0, PromptScorer.entropy(new float[] {0f, 1f, 2f}), 1e-9);
    assertEquals(Math.log(3), s.entropy()[1], 1e-6);
    assertEquals(-(s.logProb()[0] + s.logProb()[1]) / 2, s.meanNll(0, 2), 1e-12);
  }

  @Test
  void codeLooksLikeCodeAndQuestionsLikeQuestions() {
    String code = "def f(x):\n    return x[0] + g(x)\n";
    String prose = "The package is distributed under the terms of the license below.";
    assertTrue(PromptFeatures.codeDensity(code) > 5 * PromptFeatures.codeDensity(prose));
    assertEquals(0, PromptFeatures.questionScore(prose));
    assertEquals(2, PromptFeatures.questionScore("How do I reverse a list?"));
  }

  @Test
  void aChatTurnIsTheRenderedChatTemplateOnly() {
    assertEquals(
        1, PromptFeatures.chatTurn("System: Be brief.\n\nUser: Continue it.\n\nAssistant:"));
    assertEquals(1, PromptFeatures.chatTurn("User: hi\n\nAssistant:"));
    assertEquals(0, PromptFeatures.chatTurn("User: hi\n\nAssistant: hello"));
    assertEquals(0, PromptFeatures.chatTurn("The Assistant:"));
  }

  @Test
  void theDefaultEstimatorRanksProseAboveCodeAndSaysWhy() {
    LinearComplexityEstimator e = LinearComplexityEstimator.DEFAULT;
    Complexity code =
        e.estimate(new PromptSignals("def f(x):\n    return x[0] + g(x)\n", 14, 3.6, 3.5, 2.0));
    Complexity prose =
        e.estimate(
            new PromptSignals(
                "The package is distributed under the terms of the license", 12, 3.6, 3.5, 2.0));
    // On the fixture pair the large tier gains most on prose, least on code.
    assertTrue(prose.score() > code.score(), prose + " vs " + code);
    // A draft model unsure of the first token to come marks a prompt the large tier gains more on.
    String text = "The package is distributed under the terms of the license";
    assertTrue(
        e.estimate(new PromptSignals(text, 12, 3.6, 3.5, 4.0)).score()
            > e.estimate(new PromptSignals(text, 12, 3.6, 3.5, 1.0)).score());
    assertTrue(
        code.basis()
            .startsWith("draft_nll=3.600 draft_entropy=3.500 draft_next_entropy=2.000 code="),
        code.basis());
    Complexity textOnly = e.estimate(PromptSignals.textOnly("hello", 2));
    assertFalse(textOnly.basis().contains("draft_nll"));
    assertTrue(textOnly.score() > 0 && textOnly.score() < 1);
    assertThrows(
        IllegalArgumentException.class,
        () -> new LinearComplexityEstimator(Double.NaN, 0, 0, 0, 0, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Complexity(1.5, ""));
  }
}
