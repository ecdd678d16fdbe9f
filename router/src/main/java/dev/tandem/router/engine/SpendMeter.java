package dev.tandem.router.engine;

import dev.tandem.speccore.DraftLengthChooser;
import dev.tandem.speccore.LoopState;
import dev.tandem.speccore.StepRecord;

/**
 * Counts what a request's loop computed, step by step, by sitting in front of its chooser (which
 * the loop tells about every finished step): so a request that is cancelled or fails is billed for
 * exactly the verify calls, positions and drafts it used, not for nothing.
 *
 * <p>Threading: called by one loop, never concurrently (see {@link DraftLengthChooser}); the counts
 * are read after the loop ended, in happens-before order through its completion.
 */
final class SpendMeter implements DraftLengthChooser {

  private final DraftLengthChooser delegate;
  private int verifierCalls;
  private int positions;
  private int drafts;

  SpendMeter(DraftLengthChooser delegate) {
    this.delegate = delegate;
  }

  @Override
  public int chooseK(LoopState state) {
    return delegate.chooseK(state);
  }

  @Override
  public void observe(StepRecord step) {
    verifierCalls++;
    positions += step.verifierPositions();
    drafts += step.proposed();
    delegate.observe(step);
  }

  int verifierCalls() {
    return verifierCalls;
  }

  int positions() {
    return positions;
  }

  int drafts() {
    return drafts;
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
