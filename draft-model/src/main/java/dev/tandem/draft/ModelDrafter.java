package dev.tandem.draft;

import dev.tandem.model.Model;
import dev.tandem.model.Sequence;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;
import java.util.function.LongSupplier;

/**
 * Drafts with a small model next to the router: k single-token forward passes per proposal on the
 * model runtime's executor (optionally drafting ahead while the verifier works, see {@link
 * ModelDraftSession}), sampling each token with the request's own sampling parameters (so the draft
 * distribution q is processed exactly like the verifier's p). Greedy requests draft greedily and
 * send point masses.
 *
 * <p>Thread-safe: sessions are independent; each belongs to one request's loop.
 */
public final class ModelDrafter implements DraftProposer {

  /** Seed offset so the drafter's random stream differs from the verifier's for one request. */
  static final long SEED_OFFSET = 0x5DEECE66DL;

  private final Model model;
  private final int draftAhead;
  private final boolean prefillOnOpen;
  private final LongSupplier clock;
  private final DraftQueueMeter queue;

  /** A drafter that drafts only when asked (no drafting ahead). */
  public ModelDrafter(Model model) {
    this(model, 0);
  }

  /**
   * @param draftAhead for greedy requests, tokens to draft ahead after each proposal of k (at most
   *     k, after the guess of the verifier's bonus token) while the verifier scores it; worth it
   *     when the model runs on a thread of its own (its runtime is not the verifier's), 0 otherwise
   */
  public ModelDrafter(Model model, int draftAhead) {
    this(model, draftAhead, true, System::nanoTime);
  }

  /**
   * A drafter whose model runs on the thread of every verifier it drafts for (an in-process
   * verifier's runtime): a session prefills its prompt with its first proposal rather than when it
   * opens. Sharing the thread, the prefill would run in series with the verifier's anyway, so
   * deferring it costs nothing, and a request that decodes plain throughout never pays it. (Beside
   * a verifier elsewhere, a session's prefill on open runs while the verifier prefills: free.)
   */
  public static ModelDrafter sharingTheVerifiersThread(Model model) {
    return new ModelDrafter(model, 0, false, System::nanoTime);
  }

  /**
   * @param prefillOnOpen whether a session prefills its prompt when it opens (else with its first
   *     proposal)
   * @param clock times the sessions' drafting, in nanoseconds ({@link System#nanoTime} but in
   *     tests)
   */
  ModelDrafter(Model model, int draftAhead, boolean prefillOnOpen, LongSupplier clock) {
    if (draftAhead < 0 || draftAhead > DraftBlock.MAX_DRAFT) {
      throw new IllegalArgumentException(
          "draftAhead must be in 0.." + DraftBlock.MAX_DRAFT + ", got " + draftAhead);
    }
    this.model = model;
    this.draftAhead = draftAhead;
    this.prefillOnOpen = prefillOnOpen;
    this.clock = clock;
    this.queue = new DraftQueueMeter(model.runtime().threads());
  }

  @Override
  public String name() {
    return "model";
  }

  /**
   * What one more draft token adds to the waits of the other requests' proposals queued behind it
   * on this drafter's threads ({@link DraftQueueMeter}). Any thread.
   */
  @Override
  public double draftTokenCostToOthersNanos() {
    return queue.costToOthersPerTokenNanos();
  }

  /** The draft model. */
  public Model model() {
    return model;
  }

  @Override
  public DraftSession open(int[] promptTokens, SamplingParams params) {
    return open(promptTokens, params, prefillOnOpen);
  }

  /**
   * A session that prefills its prompt with its first proposal, on whichever thread the model runs:
   * in series with that proposal, where {@link #open} on a drafter with a thread of its own
   * prefills while the verifier does (on a machine with cores to spare, free; on a 2-vCPU one, the
   * two prefills slow each other down and the request's first token comes 1–3 ms later:
   * BENCHMARKS.md).
   */
  @Override
  public DraftSession openLazily(int[] promptTokens, SamplingParams params) {
    return open(promptTokens, params, false);
  }

  private DraftSession open(int[] promptTokens, SamplingParams params, boolean prefillNow) {
    int capacity = model.config().maxPositionEmbeddings();
    if (promptTokens.length >= capacity) {
      throw new IllegalArgumentException(
          "prompt must have fewer than "
              + capacity
              + " tokens for the draft model, got "
              + promptTokens.length);
    }
    return new ModelDraftSession(
        model, promptTokens, draftParams(params), capacity, draftAhead, prefillNow, clock, queue);
  }

  /**
   * A session that starts from a prompt this model has already run through (for instance the
   * router's complexity scoring), so the prompt is not prefilled twice. The caller hands the
   * sequence over and must not use it again.
   *
   * @param prefilled a sequence of this model holding exactly the prompt, with room to draft
   * @param afterPrompt logits of the prompt's last position: {@code [vocab]}
   */
  public DraftSession adopt(Sequence prefilled, float[] afterPrompt, SamplingParams params) {
    if (prefilled.model() != model) {
      throw new IllegalArgumentException("the prefilled sequence belongs to another model");
    }
    if (prefilled.remaining() < 1) {
      throw new IllegalArgumentException("the prefilled sequence has no room left to draft");
    }
    return new ModelDraftSession(
        model, prefilled, afterPrompt, draftParams(params), draftAhead, clock, queue);
  }

  private static SamplingParams draftParams(SamplingParams params) {
    return new SamplingParams(
        params.temperature(), params.topP(), params.topK(), params.seed() + SEED_OFFSET);
  }

  @Override
  public String toString() {
    return "model(" + model + (draftAhead > 0 ? ", drafting ahead " + draftAhead : "") + ")";
  }
}
