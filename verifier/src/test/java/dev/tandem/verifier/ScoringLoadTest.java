package dev.tandem.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Model;
import dev.tandem.model.ModelRuntime;
import dev.tandem.proto.v1.VerifierResponse;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.Verdict;
import dev.tandem.verifier.engine.EngineOptions;
import dev.tandem.verifier.engine.ModelScoring;
import dev.tandem.verifier.engine.OpenResult;
import dev.tandem.verifier.engine.ScoringLoad;
import dev.tandem.verifier.engine.SessionEngine;
import dev.tandem.verifier.engine.VerifyResult;
import dev.tandem.verifier.protocol.FromProto;
import dev.tandem.verifier.protocol.ToProto;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What a verdict says about the server's load: time with every model thread busy counts toward the
 * busy share, a CPU model's positions cost throughput, and the protocol carries both.
 */
class ScoringLoadTest {

  @Test
  void timeWithEveryModelThreadBusyCountsAsBusy() {
    try (ModelRuntime runtime = new ModelRuntime(1);
        Model model = TestModels.load(runtime, TestModels.VERIFIER)) {
      HeldScoring scoring = new HeldScoring(new ModelScoring("tiny", model));
      EngineOptions noWait =
          new EngineOptions(8, 1 << 16, Duration.ofSeconds(60), 64, Duration.ZERO);
      AtomicLong clock = new AtomicLong(); // the busy share's clock: moves only when told
      try (SessionEngine engine = new SessionEngine(scoring, noWait, clock::get)) {
        OpenResult a = engine.open(new int[] {3, 4, 5}, SamplingParams.GREEDY, 32).join();
        OpenResult b = engine.open(new int[] {6, 7}, SamplingParams.GREEDY, 32).join();
        clock.addAndGet(Duration.ofSeconds(10).toNanos()); // idle long after the opens
        scoring.hold(); // a's forward runs and stays in flight until release
        CompletableFuture<VerifyResult> first =
            engine.verify(a.sessionId(), a.position(), a.firstToken(), DraftBlock.empty());
        // The one model thread stays busy for three time constants: a share of 1 - e^-3 = 0.95.
        clock.addAndGet(Duration.ofSeconds(3).toNanos());
        CompletableFuture<VerifyResult> second =
            engine.verify(b.sessionId(), b.position(), b.firstToken(), DraftBlock.empty());
        scoring.release();
        ScoringLoad before = first.join().load();
        ScoringLoad during = second.join().load();
        assertEquals(0, before.busy(), "no time passed with the model busy: " + before);
        assertEquals(1 - Math.exp(-3), during.busy(), 1e-9, "after 3 s with no thread free");
        assertTrue(before.positionsCostThroughput(), "a CPU backend");
        assertFalse(before.throughputBound());
        assertTrue(during.throughputBound());
      }
    }
  }

  @Test
  void saturationNeedsMostWorkQueuedAndPositionsThatCostThroughput() {
    assertTrue(new ScoringLoad(0.95, true, 0, 0).throughputBound());
    assertFalse(new ScoringLoad(ScoringLoad.SATURATED, true, 0, 0).throughputBound());
    assertFalse(
        new ScoringLoad(0.85, true, 0, 0).throughputBound(), "busy, yet with time to spare");
    assertFalse(new ScoringLoad(1.0, false, 0, 0).throughputBound(), "an accelerator");
    assertFalse(ScoringLoad.UNKNOWN.throughputBound());
    var e = assertThrows(IllegalArgumentException.class, () -> new ScoringLoad(1.5, true, 0, 0));
    assertEquals("busy must be in [0, 1], got 1.5", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ScoringLoad(Double.NaN, true, 0, 0));
    var cost =
        assertThrows(IllegalArgumentException.class, () -> new ScoringLoad(0.5, true, -1, 0));
    assertEquals("callCostRows must be finite and >= 0, got -1.0", cost.getMessage());
    var others =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ScoringLoad(0.5, true, 0, Double.POSITIVE_INFINITY));
    assertEquals("rowCostToOthersNanos must be finite and >= 0, got Infinity", others.getMessage());
  }

  @Test
  void theVerdictCarriesTheLoadAndABadValueIsNamed() {
    VerifyResult sent =
        new VerifyResult(new Verdict(2, 9), 14, new ScoringLoad(0.5, true, 1.25, 250_000));
    VerifierResponse wire = ToProto.verdict(sent);
    VerifyResult received = FromProto.verdict(wire.getVerdict());
    assertEquals(sent.load(), received.load());
    assertEquals(14, received.position());
    var bad = wire.getVerdict().toBuilder().setBusy(2f).build();
    var e = assertThrows(IllegalArgumentException.class, () -> FromProto.verdict(bad));
    assertEquals("busy must be in [0, 1], got 2.0", e.getMessage());
    var badCost = wire.getVerdict().toBuilder().setCallCostRows(Float.NaN).build();
    var c = assertThrows(IllegalArgumentException.class, () -> FromProto.verdict(badCost));
    assertEquals("call_cost_rows must be finite and >= 0, got NaN", c.getMessage());
    var badOthers = wire.getVerdict().toBuilder().setRowCostToOthersNanos(-1f).build();
    var o = assertThrows(IllegalArgumentException.class, () -> FromProto.verdict(badOthers));
    assertEquals("row_cost_to_others_nanos must be finite and >= 0, got -1.0", o.getMessage());
    // an older server sends none of the fields: nothing known, never throughput-bound
    var old =
        wire.getVerdict().toBuilder()
            .clearBusy()
            .clearPositionsCostThroughput()
            .clearCallCostRows()
            .clearRowCostToOthersNanos()
            .build();
    assertFalse(FromProto.verdict(old).load().throughputBound());
    assertEquals(0, FromProto.verdict(old).load().callCostRows());
    assertEquals(0, FromProto.verdict(old).load().rowCostToOthersNanos());
  }
}
