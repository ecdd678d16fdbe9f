package dev.tandem.router.engine;

import dev.tandem.draft.ModelDrafter;
import dev.tandem.router.routing.PromptScorer.Prefilled;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The model drafter for one routed request whose prompt the draft model has already run for the
 * complexity estimate: the first session opened on exactly those tokens continues from that forward
 * instead of prefilling the prompt again, which makes the routing signal free. Any other open
 * (another prompt, a second session) prefills as usual.
 *
 * <p>Thread-safe: the prefilled sequence is handed out at most once.
 */
final class PrefilledDrafter implements DraftProposer {

  private final ModelDrafter drafter;
  private final int[] promptTokens;
  private final Prefilled prefilled;
  private final AtomicBoolean taken = new AtomicBoolean();

  PrefilledDrafter(ModelDrafter drafter, int[] promptTokens, Prefilled prefilled) {
    this.drafter = drafter;
    this.promptTokens = promptTokens;
    this.prefilled = prefilled;
  }

  @Override
  public String name() {
    return drafter.name();
  }

  @Override
  public DraftSession open(int[] prompt, SamplingParams params) {
    return adopting(prompt) ? adopt(params) : drafter.open(prompt, params);
  }

  @Override
  public DraftSession openLazily(int[] prompt, SamplingParams params) {
    return adopting(prompt) ? adopt(params) : drafter.openLazily(prompt, params);
  }

  private boolean adopting(int[] prompt) {
    return Arrays.equals(prompt, promptTokens)
        && prefilled.sequence().remaining() > 0
        && taken.compareAndSet(false, true);
  }

  private DraftSession adopt(SamplingParams params) {
    return drafter.adopt(prefilled.sequence(), prefilled.afterLast(), params);
  }

  @Override
  public double draftTokenCostToOthersNanos() {
    return drafter.draftTokenCostToOthersNanos();
  }

  /** Whether a session took over the prefilled prompt. */
  boolean adopted() {
    return taken.get();
  }

  @Override
  public String toString() {
    return drafter + " (prompt prefilled by routing)";
  }
}
