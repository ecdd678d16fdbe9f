package dev.tandem.draft;

import dev.tandem.model.Model;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;

/**
 * Drafts with a small model next to the router: k single-token forward passes per proposal on the
 * model runtime's executor, sampling each token with the request's own sampling parameters (so the
 * draft distribution q is processed exactly like the verifier's p). Greedy requests draft greedily
 * and send point masses.
 *
 * <p>Thread-safe: sessions are independent; each belongs to one request's loop.
 */
public final class ModelDrafter implements DraftProposer {

  /** Seed offset so the drafter's random stream differs from the verifier's for one request. */
  static final long SEED_OFFSET = 0x5DEECE66DL;

  private final Model model;

  public ModelDrafter(Model model) {
    this.model = model;
  }

  @Override
  public String name() {
    return "model";
  }

  @Override
  public DraftSession open(int[] promptTokens, SamplingParams params) {
    int capacity = model.config().maxPositionEmbeddings();
    if (promptTokens.length >= capacity) {
      throw new IllegalArgumentException(
          "prompt must have fewer than "
              + capacity
              + " tokens for the draft model, got "
              + promptTokens.length);
    }
    SamplingParams draftParams =
        new SamplingParams(
            params.temperature(), params.topP(), params.topK(), params.seed() + SEED_OFFSET);
    return new ModelDraftSession(model, promptTokens, draftParams, capacity);
  }

  @Override
  public String toString() {
    return "model(" + model + ")";
  }
}
