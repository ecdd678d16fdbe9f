package dev.tandem.speccore;

import java.util.ArrayList;
import java.util.List;

/** Running totals of one {@link SpeculationLoop}; confined to the loop (not thread-safe). */
final class LoopCounters {

  private final int maxTokens;
  private final List<StepRecord> steps = new ArrayList<>();
  private int generated;
  private int proposed;
  private int accepted;
  private int positions;
  private long draftNanos;
  private long verifyNanos;

  LoopCounters(int maxTokens) {
    this.maxTokens = maxTokens;
  }

  void addStep(StepRecord step) {
    steps.add(step);
    proposed += step.proposed();
    accepted += step.accepted();
    positions += step.verifierPositions();
    draftNanos += step.draftNanos();
    verifyNanos += step.verifyNanos();
  }

  void addGenerated(int tokens) {
    generated += tokens;
  }

  int generated() {
    return generated;
  }

  int remaining() {
    return maxTokens - generated;
  }

  LoopState state(double alpha) {
    return new LoopState(generated, maxTokens, steps.size(), proposed, accepted, positions, alpha);
  }

  LoopResult result(FinishReason reason) {
    return new LoopResult(
        reason,
        generated,
        proposed,
        accepted,
        steps.size(),
        positions,
        draftNanos,
        verifyNanos,
        steps);
  }
}
