package dev.tandem.draft;

import dev.tandem.model.Logits;
import dev.tandem.model.Model;
import dev.tandem.model.Sampler;
import dev.tandem.model.Sequence;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SparseDistribution;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One request's draft-model state. The KV cache holds the context minus the tokens in {@code
 * pending} (committed but not forwarded yet: the verifier's latest token, and the last accepted
 * draft token, which a proposal never forwards). The prompt prefill starts at open, so it runs
 * while the verifier prefills too.
 *
 * <p>Threading: called by one loop, never concurrently; the forwards run on the model executor, and
 * the state they touch is handed over through the futures (happens-before).
 */
final class ModelDraftSession implements DraftSession {

  private final Model model;
  private final Sequence sequence;
  private final Sampler sampler;
  private CompletableFuture<float[]> ready;
  private int[] pending = new int[0];
  private int[] lastProposal = new int[0];
  private int forwardedOfProposal;

  ModelDraftSession(Model model, int[] prompt, SamplingParams params, int capacity) {
    this.model = model;
    this.sequence = model.newSequence(capacity);
    this.sampler = new Sampler(params);
    // prompt: [n] -> logits of the last position, the distribution of the first draft token
    this.ready = model.prefillAsync(sequence, prompt).thenApply(Logits::last);
  }

  /**
   * A session over a sequence that already holds the prompt (someone else ran the prefill).
   *
   * @param afterPrompt logits of the prompt's last position: {@code [vocab]}
   */
  ModelDraftSession(Model model, Sequence prefilled, float[] afterPrompt, SamplingParams params) {
    this.model = model;
    this.sequence = prefilled;
    this.sampler = new Sampler(params);
    this.ready = CompletableFuture.completedFuture(afterPrompt);
  }

  @Override
  public CompletionStage<Void> ready() {
    return ready.thenApply(logits -> null);
  }

  @Override
  public CompletionStage<DraftBlock> propose(int k) {
    int[] toForward = pending;
    pending = new int[0];
    int room = sequence.remaining() - toForward.length;
    int count = Math.max(0, Math.min(k, room));
    CompletableFuture<DraftBlock> block =
        ready.thenCompose(logits -> model.runtime().submit(() -> draft(toForward, count, logits)));
    ready = block.thenApply(b -> null);
    return block;
  }

  /** On the model executor: forward what is pending, then sample and forward k - 1 drafts. */
  private DraftBlock draft(int[] toForward, int k, float[] afterPrompt) {
    float[] logits =
        toForward.length == 0 ? afterPrompt : model.forward(sequence, toForward).last();
    int[] tokens = new int[k];
    SparseDistribution[] probs = new SparseDistribution[k];
    for (int i = 0; i < k; i++) {
      Sampler.Sample sample = sampler.sample(logits);
      tokens[i] = sample.token();
      probs[i] = sample.distribution();
      if (i + 1 < k) {
        // token: [1] -> logits: [1, vocab] for the next draft position
        logits = model.forward(sequence, new int[] {tokens[i]}).last();
      }
    }
    lastProposal = tokens;
    forwardedOfProposal = Math.max(0, k - 1);
    return new DraftBlock(tokens, probs);
  }

  @Override
  public void commit(int keptDraftTokens, int nextToken) {
    if (keptDraftTokens < 0 || keptDraftTokens > lastProposal.length) {
      throw new IllegalArgumentException(
          "keptDraftTokens must be in 0.." + lastProposal.length + ", got " + keptDraftTokens);
    }
    // The cache holds the proposal's first forwardedOfProposal tokens: drop the rejected ones,
    // queue the accepted one that was never forwarded (if any) and the verifier's token.
    int keptInCache = Math.min(keptDraftTokens, forwardedOfProposal);
    int[] notForwarded = Arrays.copyOfRange(lastProposal, keptInCache, keptDraftTokens);
    int rollback = forwardedOfProposal - keptInCache;
    ready =
        ready.thenApply(
            ignored -> {
              sequence.truncate(sequence.length() - rollback);
              return null;
            });
    // Append: when the loop skips propose (k = 0), commits accumulate until the next proposal.
    int[] grown = Arrays.copyOf(pending, pending.length + notForwarded.length + 1);
    System.arraycopy(notForwarded, 0, grown, pending.length, notForwarded.length);
    grown[grown.length - 1] = nextToken;
    pending = grown;
    lastProposal = new int[0];
    forwardedOfProposal = 0;
  }

  @Override
  public void close() {
    ready.cancel(false);
  }
}
