package dev.tandem.speccore;

import java.util.ArrayList;
import java.util.List;

/** Running totals of one {@link SpeculationLoop}; confined to the loop (not thread-safe). */
final class LoopCounters {

  private final int maxTokens;
  private final List<StepRecord> steps; // null when the loop keeps totals only
  private int stepCount;
  private int generated;
  private int proposed;
  private int accepted;
  private int positions;
  private long draftNanos;
  private long verifyNanos;

  LoopCounters(int maxTokens, boolean keepSteps) {
    this.maxTokens = maxTokens;
    this.steps = keepSteps ? new ArrayList<>() : null;
  }

  void addStep(StepRecord step) {
    if (steps != null) {
      steps.add(step);
    }
    stepCount++;
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

  LoopState state(double alpha, double[] expectedTokens) {
    return new LoopState(
        generated, maxTokens, stepCount, proposed, accepted, positions, alpha, expectedTokens);
  }

  LoopResult result(FinishReason reason) {
    return new LoopResult(
        reason,
        generated,
        proposed,
        accepted,
        stepCount,
        positions,
        draftNanos,
        verifyNanos,
        steps == null ? List.of() : steps);
  }
}
