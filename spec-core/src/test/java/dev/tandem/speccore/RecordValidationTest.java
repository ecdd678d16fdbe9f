package dev.tandem.speccore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Nonsense is rejected at construction, with a message that names the field. */
class RecordValidationTest {

  private static void rejects(String fieldInMessage, Executable construction) {
    var e = assertThrows(IllegalArgumentException.class, construction);
    assertTrue(
        e.getMessage().contains(fieldInMessage),
        "message should name " + fieldInMessage + ": " + e.getMessage());
  }

  private static final SparseDistribution POINT = SparseDistribution.pointMass(3);

  @Test
  void draftBlock() {
    rejects(
        "probs must have one distribution per token",
        () -> new DraftBlock(new int[] {3, 3}, new SparseDistribution[] {POINT}));
    rejects("tokens[1] must be >= 0", () -> DraftBlock.greedy(new int[] {1, -2}));
    rejects("tokens must hold at most 16", () -> DraftBlock.greedy(new int[17]));
    rejects(
        "probs[0] must give tokens[0] = 4 a positive probability",
        () -> new DraftBlock(new int[] {4}, new SparseDistribution[] {POINT}));
    rejects(
        "probs[0] must not be null",
        () -> new DraftBlock(new int[] {4}, new SparseDistribution[1]));
    rejects("tokens must not be null", () -> new DraftBlock(null, new SparseDistribution[0]));
    assertEquals(16, DraftBlock.greedy(new int[16]).size());
    assertTrue(DraftBlock.empty().isEmpty());
  }

  @Test
  void sparseDistribution() {
    rejects(
        "probs must sum to 1",
        () -> new SparseDistribution(new int[] {1, 2}, new float[] {0.5f, 0.2f}));
    rejects(
        "tokens and probs must have the same length",
        () -> new SparseDistribution(new int[] {1}, new float[] {0.5f, 0.5f}));
    rejects(
        "probs[0] must be in [0, 1]",
        () -> new SparseDistribution(new int[] {1, 2}, new float[] {-0.5f, 1.5f}));
    rejects(
        "tokens must be distinct",
        () -> new SparseDistribution(new int[] {1, 1}, new float[] {0.5f, 0.5f}));
  }

  @Test
  void verdict() {
    rejects("acceptedCount must be >= 0", () -> new Verdict(-1, 0));
    rejects("nextToken must be >= 0", () -> new Verdict(0, -1));
    assertEquals(3, new Verdict(2, 5).emittedCount());
  }

  @Test
  void draftLength() {
    rejects("k must be in 0..16, got -1", () -> DraftLengthChooser.fixed(-1));
    rejects("k must be in 0..16, got 17", () -> DraftLengthChooser.fixed(17));
    rejects(
        "kMax must be in 0..16", () -> AdaptiveDraftLength.fastest(-1, new LatencyModel(0, 0, 0)));
    assertEquals("off", DraftLengthChooser.off().toString());
  }

  @Test
  void loopRecords() {
    rejects("accepted must be in 0..2 (proposed)", () -> new StepRecord(4, 2, 3, 1, 0, 0));
    rejects("proposed must be in 0..1 (requestedK)", () -> new StepRecord(1, 2, 0, 1, 0, 0));
    rejects("emitted must be in 0..1", () -> new StepRecord(0, 0, 0, 2, 0, 0));
    rejects("draftNanos and verifyNanos must be >= 0", () -> new StepRecord(0, 0, 0, 1, -1, 0));
    rejects(
        "draftingNanos must be in 0..10 (draftNanos), got 11",
        () -> new StepRecord(1, 1, 0, 1, 10, 0, 11));
    rejects("maxTokens must be >= 1", () -> new LoopState(0, 0, 0, 0, 0, 0, 0.5));
    rejects("generatedTokens must be in 0..5", () -> new LoopState(6, 5, 0, 0, 0, 0, 0.5));
    rejects("alpha must be in [0, 1]", () -> new LoopState(0, 5, 0, 0, 0, 0, Double.NaN));
    rejects(
        "draftTokensAccepted must be in 0..1",
        () -> new LoopResult(FinishReason.EOS, 1, 1, 2, 1, 2, 0, 0, List.of()));
    rejects("reason must not be null", () -> new LoopResult(null, 1, 1, 1, 1, 2, 0, 0, List.of()));
  }

  @Test
  void samplingParams() {
    rejects("temperature must be in 0..2.0", () -> new SamplingParams(-0.1f, 1f, 0, 0));
    rejects("top_p must be in (0, 1]", () -> new SamplingParams(1f, 0f, 0, 0));
    rejects("top_k must be >= 0", () -> new SamplingParams(1f, 1f, -1, 0));
  }
}
