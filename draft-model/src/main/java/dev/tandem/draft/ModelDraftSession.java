package dev.tandem.draft;

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
import java.util.function.LongSupplier;

/**
 * One request's draft-model state: the committed context (prompt + every committed token) and the
 * drafter's own continuation of it, {@code spec} = s1..sn (the tokens it would draft next). The KV
 * cache holds the committed context minus {@code pending} (committed tokens not forwarded yet) and
 * then s1..s_f of the continuation ({@code f = forwarded}); s_{f+1}.. are drafted but not
 * forwarded, and {@code logits} is the distribution after the cache's last token. A proposal of k
 * is s1..sk (drafting more where the continuation is shorter).
 *
 * <p>A commit keeps the continuation when it agrees with what was committed ({@code s_{a+1}} is the
 * verifier's token after a accepted drafts: a fully accepted block whose bonus token is the one the
 * drafter would have drafted next), so the next proposal may already be drafted; otherwise the
 * cache is cut back to the accepted drafts and the continuation dropped.
 *
 * <p>Drafting ahead (greedy requests, when {@code draftAhead} > 0): after each proposal of k the
 * session goes on drafting on the model executor — the guess of the verifier's bonus token and k
 * more — while the verifier scores the block, one token per task, until the next commit or proposal
 * stops it (it waits for at most the forward in progress). With the draft model on a thread of its
 * own this overlaps drafting with verifying; a block fully accepted with the guessed bonus token
 * starts the next step with its draft ready. Sampled requests never draft ahead: how far the
 * drafter got would depend on timing, and their random draws, so a seed would not reproduce.
 *
 * <p>Plain steps cost the model executor nothing: a commit with no proposal since the last one (the
 * loop decoded plain) only appends its token to a buffer of the loop's, handed to the executor with
 * the next proposal, where the same commits then run in order (before, every plain step posted a
 * task to the draft model's thread and woke it).
 *
 * <p>Threading: called by one loop, never concurrently; all state is touched by tasks on the model
 * executor, ordered by the {@code ready} chain (happens-before through the futures), except {@code
 * epoch}, which the loop bumps to stop drafting ahead, {@code draftingNanos}, which the loop reads
 * after a proposal, and the loop's own buffer of plain commits.
 */
final class ModelDraftSession implements DraftSession {

  private final Model model;
  private final LongSupplier clock; // times the drafting (System.nanoTime but in tests)
  private final DraftQueueMeter queue; // the drafter's, shared by its sessions
  private final Sequence sequence;
  private final Sampler sampler;
  private final int draftAhead;
  private CompletableFuture<?> ready;
  private volatile int epoch; // written by the loop only; drafting ahead stops when it moves
  // Loop only: tokens of plain commits not handed to the executor yet, and whether a proposal was
  // made since the last commit (its commit must run on the executor then).
  private int[] plainCommits = new int[8];
  private int plainCount;
  private boolean proposed;
  // Written on the model executor before the proposal's block completes, read by the loop after.
  private volatile long draftingNanos = -1;

  // Model executor only (ordered by the chain):
  private float[] logits; // after the cache's last token; null while pending is not empty
  private int[] pending = new int[0];
  private int[] spec = new int[16];
  private SparseDistribution[] specProbs = new SparseDistribution[16];
  private int drafted; // n
  private int forwarded; // f <= n

  /**
   * @param draftAhead tokens to draft beyond the bonus guess after a proposal (0 = never)
   * @param prefillNow whether to prefill the prompt now or with the first proposal (see {@link
   *     ModelDrafter#openLazily} and {@link ModelDrafter#sharingTheVerifiersThread})
   */
  ModelDraftSession(
      Model model,
      int[] prompt,
      SamplingParams params,
      int capacity,
      int draftAhead,
      boolean prefillNow,
      LongSupplier clock,
      DraftQueueMeter queue) {
    this.model = model;
    this.clock = clock;
    this.queue = queue;
    this.sequence = model.newSequence(capacity);
    this.sampler = new Sampler(params);
    this.draftAhead = params.isGreedy() ? draftAhead : 0;
    if (prefillNow) {
      // prompt: [n] -> logits of the last position, the distribution of the first draft token
      this.ready =
          model
              .prefillAsync(sequence, prompt)
              .thenAccept(
                  prefilled -> {
                    logits = prefilled.last();
                  });
    } else {
      this.pending = prompt.clone(); // forwarded with the first proposal's catch-up
      this.ready = CompletableFuture.completedFuture(null);
    }
  }

  /**
   * A session over a sequence that already holds the prompt (someone else ran the prefill).
   *
   * @param afterPrompt logits of the prompt's last position: {@code [vocab]}
   */
  ModelDraftSession(
      Model model,
      Sequence prefilled,
      float[] afterPrompt,
      SamplingParams params,
      int draftAhead,
      LongSupplier clock,
      DraftQueueMeter queue) {
    this.model = model;
    this.clock = clock;
    this.queue = queue;
    this.sequence = prefilled;
    this.sampler = new Sampler(params);
    this.draftAhead = params.isGreedy() ? draftAhead : 0;
    this.logits = afterPrompt;
    this.ready = CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> ready() {
    return ready.thenApply(x -> null);
  }

  @Override
  public CompletionStage<DraftBlock> propose(int k) {
    int mine = ++epoch;
    handOverPlainCommits();
    proposed = true;
    queue.submitted();
    CompletableFuture<DraftBlock> block =
        ready.thenCompose(x -> model.runtime().submit(() -> draft(k)));
    block.whenComplete((b, e) -> queue.finished()); // also when cancelled or failed
    int target = draftAhead > 0 && k > 0 ? k + 1 + Math.min(k, draftAhead) : 0;
    ready = target > 0 ? block.thenCompose(b -> ahead(mine, target)) : block;
    return block;
  }

  @Override
  public long lastDraftingNanos() {
    return draftingNanos;
  }

  /** On the model executor: s1..sk, drafting what the continuation lacks. */
  private DraftBlock draft(int k) {
    forwardPending();
    int behind = queue.queuedBehind();
    long start = clock.getAsLong();
    int count = Math.max(0, Math.min(k, room()));
    int alreadyDrafted = Math.min(drafted, count);
    while (drafted < count) {
      extend();
    }
    long nanos = clock.getAsLong() - start;
    draftingNanos = nanos;
    queue.drafted(nanos, count - alreadyDrafted, behind);
    return new DraftBlock(
        Arrays.copyOf(spec, count), Arrays.copyOf(specProbs, count, SparseDistribution[].class));
  }

  /** Drafts ahead one token per task until the continuation holds {@code target} or epoch moves. */
  private CompletableFuture<Void> ahead(int mine, int target) {
    if (epoch != mine) {
      return CompletableFuture.completedFuture(null);
    }
    return model
        .runtime()
        .submit(
            () -> {
              boolean more = epoch == mine && drafted < target && drafted < room();
              if (more) {
                extend();
              }
              return more;
            })
        .thenCompose(more -> more ? ahead(mine, target) : CompletableFuture.completedFuture(null));
  }

  /** Room left for drafted tokens: a draft must fit the cache once forwarded. */
  private int room() {
    return sequence.remaining() - pending.length + forwarded;
  }

  /** Forwards the committed tokens not forwarded yet (the continuation is empty then). */
  private void forwardPending() {
    if (pending.length > 0) {
      // pending: [p] -> logits of its last position only, the distribution of s1
      logits = model.prefill(sequence, pending).last();
      pending = new int[0];
    }
  }

  /** Drafts s_{n+1}: forwards s_n first if it was not (the cache then ends at s_n). */
  private void extend() {
    while (forwarded < drafted) {
      // token: [1] -> logits: [1, vocab] for the next position
      logits = model.forward(sequence, new int[] {spec[forwarded]}).last();
      forwarded++;
    }
    if (drafted == spec.length) {
      spec = Arrays.copyOf(spec, 2 * spec.length);
      specProbs = Arrays.copyOf(specProbs, 2 * specProbs.length);
    }
    Sampler.Sample sample = sampler.sample(logits);
    spec[drafted] = sample.token();
    specProbs[drafted] = sample.distribution();
    drafted++;
  }

  @Override
  public void commit(int keptDraftTokens, int nextToken) {
    if (keptDraftTokens < 0 || keptDraftTokens > DraftBlock.MAX_DRAFT) {
      throw new IllegalArgumentException(
          "keptDraftTokens must be in 0.." + DraftBlock.MAX_DRAFT + ", got " + keptDraftTokens);
    }
    if (!proposed && keptDraftTokens == 0) { // a plain step: nothing drafts ahead, it can wait
      if (plainCount == plainCommits.length) {
        plainCommits = Arrays.copyOf(plainCommits, 2 * plainCount);
      }
      plainCommits[plainCount++] = nextToken;
      return;
    }
    handOverPlainCommits(); // keeps the commits in order (empty after a proposal)
    proposed = false;
    epoch++; // stop drafting ahead: the commit runs after the forward in progress
    ready =
        ready.thenCompose(x -> model.runtime().submit(() -> advance(keptDraftTokens, nextToken)));
  }

  /** Queues the buffered plain commits on the executor, in order, as one task. */
  private void handOverPlainCommits() {
    if (plainCount == 0) {
      return;
    }
    int[] tokens = Arrays.copyOf(plainCommits, plainCount);
    plainCount = 0;
    ready =
        ready.thenCompose(
            x ->
                model
                    .runtime()
                    .submit(
                        () -> {
                          advancePlain(tokens);
                          return null;
                        }));
  }

  /**
   * On the model executor: the context grows by {@code tokens}, one plain step each. While a
   * continuation is drafted it may agree with them, so they go through {@link #advance} one by one;
   * once none is, the rest joins {@code pending} in one copy (not one copy of it per token).
   */
  private void advancePlain(int[] tokens) {
    int i = 0;
    while (i < tokens.length && drafted > 0) {
      advance(0, tokens[i++]);
    }
    if (i < tokens.length) {
      int[] grown = Arrays.copyOf(pending, pending.length + tokens.length - i);
      System.arraycopy(tokens, i, grown, pending.length, tokens.length - i);
      pending = grown;
      logits = null;
    }
  }

  /** On the model executor: the context grows by s1..sa and then t. */
  private Void advance(int accepted, int next) {
    if (accepted > drafted) {
      throw new IllegalArgumentException(
          "keptDraftTokens must be in 0.." + drafted + " (tokens drafted), got " + accepted);
    }
    if (drafted > accepted && spec[accepted] == next) {
      // The continuation agrees with the commit: s1..s_{a+1} become context.
      int consumed = accepted + 1;
      if (forwarded >= consumed) {
        shift(consumed);
      } else { // s_{a+1} is drafted but not forwarded: it is the only token left to forward
        clearSpec();
        logits = null;
        pending = new int[] {next};
      }
      return null;
    }
    // Drop the continuation beyond s_a: the cache keeps s1..s_min(a, f), the rest is pending.
    int keptInCache = Math.min(accepted, forwarded);
    sequence.truncate(sequence.length() - (forwarded - keptInCache));
    int[] notForwarded = Arrays.copyOfRange(spec, keptInCache, accepted);
    int[] grown = Arrays.copyOf(pending, pending.length + notForwarded.length + 1);
    System.arraycopy(notForwarded, 0, grown, pending.length, notForwarded.length);
    grown[grown.length - 1] = next;
    pending = grown;
    logits = null;
    clearSpec();
    return null;
  }

  private void shift(int consumed) {
    System.arraycopy(spec, consumed, spec, 0, drafted - consumed);
    System.arraycopy(specProbs, consumed, specProbs, 0, drafted - consumed);
    drafted -= consumed;
    forwarded -= consumed;
  }

  private void clearSpec() {
    drafted = 0;
    forwarded = 0;
  }

  @Override
  public void close() {
    epoch++;
    ready.cancel(false);
  }
}
