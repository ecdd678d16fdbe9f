package dev.tandem.verifier.openai;

import dev.tandem.speccore.AcceptanceSampler;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SamplingTransform;
import dev.tandem.speccore.SparseDistribution;
import dev.tandem.speccore.Verdict;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;

/**
 * {@link AcceptanceSampler} semantics over top-N logprobs instead of full distributions.
 *
 * <ul>
 *   <li>Greedy is exact: the top-1 of every row is the server's argmax, so the draft is accepted
 *       while each token is its row's top-1, and the next token is the top-1 at the first mismatch
 *       or the token the server generated after a full accept.
 *   <li>Sampling is approximate: each target row is the top N renormalised (after the request's
 *       temperature, top-k and top-p), so tokens outside the top N have probability 0.
 * </ul>
 *
 * <p>The sampled path runs in a small local vocabulary, the union of the rows' tokens and the
 * draft's tokens and q supports in ascending id order, so that no dense {@code [k + 1, vocab]}
 * array is built for a server whose vocabulary this client does not know.
 *
 * <p>Stateless and thread-safe (the generator is the caller's).
 */
final class TruncatedAcceptance {

  private TruncatedAcceptance() {}

  /** Exact greedy acceptance. */
  static Verdict greedy(DraftBlock draft, ScoredSequence scored) {
    int[] tokens = draft.tokens();
    TopLogprobs[] rows = scored.draftRows();
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] != rows[i].best()) {
        return new Verdict(i, rows[i].best());
      }
    }
    return new Verdict(tokens.length, scored.generatedToken());
  }

  /** Stochastic acceptance against the truncated target rows. */
  static Verdict sampled(
      DraftBlock draft, ScoredSequence scored, SamplingParams params, RandomGenerator rng) {
    TopLogprobs[] rows = scored.targetRows();
    int[] vocabulary = localVocabulary(draft, rows);
    float[][] target = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      target[i] = probabilities(rows[i], vocabulary, params);
    }
    Verdict local = AcceptanceSampler.accept(toLocal(draft, vocabulary), target, params, rng);
    return new Verdict(local.acceptedCount(), vocabulary[local.nextToken()]);
  }

  /** Draws one token from a truncated row (the first token of a sampled session). */
  static int sample(TopLogprobs row, SamplingParams params, RandomGenerator rng) {
    int[] vocabulary = row.tokens().clone();
    Arrays.sort(vocabulary);
    return vocabulary[SamplingTransform.sample(probabilities(row, vocabulary, params), rng)];
  }

  // row: top-N logprobs -> [vocabulary.length] probabilities, 0 outside the row
  private static float[] probabilities(TopLogprobs row, int[] vocabulary, SamplingParams params) {
    float[] logits = new float[vocabulary.length];
    Arrays.fill(logits, Float.NEGATIVE_INFINITY);
    for (int j = 0; j < row.tokens().length; j++) {
      // logprob = logit - logsumexp: the same softmax once renormalised over the row.
      logits[Arrays.binarySearch(vocabulary, row.tokens()[j])] = row.logprobs()[j];
    }
    return SamplingTransform.probabilities(logits, params);
  }

  private static int[] localVocabulary(DraftBlock draft, TopLogprobs[] rows) {
    IntStream ids = IntStream.of(draft.tokens());
    for (SparseDistribution q : draft.probs()) {
      ids = IntStream.concat(ids, IntStream.of(q.tokens()));
    }
    for (TopLogprobs row : rows) {
      ids = IntStream.concat(ids, IntStream.of(row.tokens()));
    }
    return ids.distinct().sorted().toArray();
  }

  private static DraftBlock toLocal(DraftBlock draft, int[] vocabulary) {
    int[] tokens = new int[draft.size()];
    SparseDistribution[] probs = new SparseDistribution[draft.size()];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = Arrays.binarySearch(vocabulary, draft.tokens()[i]);
      SparseDistribution q = draft.probs()[i];
      int[] support = new int[q.size()];
      for (int j = 0; j < support.length; j++) {
        support[j] = Arrays.binarySearch(vocabulary, q.tokens()[j]);
      }
      probs[i] = new SparseDistribution(support, q.probs());
    }
    return new DraftBlock(tokens, probs);
  }
}
