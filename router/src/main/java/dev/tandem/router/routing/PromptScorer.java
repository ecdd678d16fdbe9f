package dev.tandem.router.routing;

import dev.tandem.model.Logits;
import dev.tandem.model.Model;
import dev.tandem.model.Sequence;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a model over a token sequence in one forward and reads, per position, the log-probability of
 * the token that actually follows and the entropy of the predicted distribution: the draft model's
 * prompt loss and entropy (the routing signals) and a tier's log-likelihood of a known continuation
 * (the routing evaluation's quality).
 *
 * <p>Threading: {@link #score} runs the forward on the model's executor and returns a future; the
 * arithmetic is pure.
 */
public final class PromptScorer {

  /**
   * Per-position results of scoring {@code tokens}: {@code logProb[i]} is log p(tokens[i+1] |
   * tokens[..i]), {@code entropy[i]} the entropy (nats) of that distribution; both {@code [n − 1]}.
   */
  public record Scores(double[] logProb, double[] entropy) {

    /** Mean negative log-likelihood over positions [from, to). */
    public double meanNll(int from, int to) {
      return -mean(logProb, from, to);
    }

    /** Mean entropy over positions [from, to). */
    public double meanEntropy(int from, int to) {
      return mean(entropy, from, to);
    }

    private static double mean(double[] values, int from, int to) {
      if (to <= from) {
        return Double.NaN;
      }
      double sum = 0;
      for (int i = from; i < to; i++) {
        sum += values[i];
      }
      return sum / (to - from);
    }
  }

  private PromptScorer() {}

  /** Scores a whole sequence (at least 2 tokens) with one forward on a fresh KV cache. */
  public static CompletableFuture<Scores> score(Model model, int[] tokens) {
    if (tokens.length < 2) {
      throw new IllegalArgumentException("need at least 2 tokens to score, got " + tokens.length);
    }
    return model
        .runtime()
        .submit(
            () -> {
              Sequence sequence = model.newSequence(tokens.length);
              // tokens: [n] -> logits: [n, vocab]; row i predicts tokens[i + 1]
              return scores(model.forward(sequence, tokens), tokens);
            });
  }

  /** The pure part: log-softmax per row in double precision. */
  static Scores scores(Logits logits, int[] tokens) {
    int n = tokens.length - 1;
    double[] logProb = new double[n];
    double[] entropy = new double[n];
    for (int i = 0; i < n; i++) {
      float[] row = logits.row(i);
      double max = Double.NEGATIVE_INFINITY;
      for (float v : row) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (float v : row) {
        sum += Math.exp(v - max);
      }
      double logZ = max + Math.log(sum);
      double h = 0;
      for (float v : row) {
        double lp = v - logZ;
        h -= Math.exp(lp) * lp;
      }
      logProb[i] = row[tokens[i + 1]] - logZ;
      entropy[i] = h;
    }
    return new Scores(logProb, entropy);
  }
}
