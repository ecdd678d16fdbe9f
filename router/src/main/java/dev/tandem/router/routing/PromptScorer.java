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

  /**
   * Scores of a prompt plus the sequence that ran it, so a drafter on the same model can start from
   * it instead of prefilling the prompt again ({@code ModelDrafter.adopt}).
   *
   * @param sequence holds exactly the scored tokens; owned by whoever takes it
   * @param afterLast logits of the last position: {@code [vocab]}
   */
  public record Prefilled(Scores scores, Sequence sequence, float[] afterLast) {}

  /** Scores a whole sequence (at least 2 tokens) with one forward on a fresh KV cache. */
  public static CompletableFuture<Scores> score(Model model, int[] tokens) {
    return scoreKeeping(model, tokens, tokens.length).thenApply(Prefilled::scores);
  }

  /**
   * Like {@link #score}, on a fresh sequence of {@code capacity} positions that is kept for a
   * drafter to continue.
   */
  public static CompletableFuture<Prefilled> scoreKeeping(Model model, int[] tokens, int capacity) {
    if (tokens.length < 2) {
      throw new IllegalArgumentException("need at least 2 tokens to score, got " + tokens.length);
    }
    if (capacity < tokens.length) {
      throw new IllegalArgumentException(
          "capacity must be >= " + tokens.length + " tokens, got " + capacity);
    }
    return model
        .runtime()
        .submit(
            () -> {
              Sequence sequence = model.newSequence(capacity);
              // tokens: [n] -> logits: [n, vocab]; row i predicts tokens[i + 1]
              Logits logits = model.forward(sequence, tokens);
              return new Prefilled(scores(logits, tokens), sequence, logits.last());
            });
  }

  /** Entropy (nats) of the distribution softmax({@code logits}), in double precision. */
  public static double entropy(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : logits) {
      sum += Math.exp(v - max);
    }
    double logZ = max + Math.log(sum);
    double h = 0;
    for (float v : logits) {
      double lp = v - logZ;
      h -= Math.exp(lp) * lp;
    }
    return h;
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
