package dev.tandem.model;

import static dev.tandem.model.TinyModels.TOLERANCE;
import static dev.tandem.model.TinyModels.assertLogits;
import static dev.tandem.model.TinyModels.onModelThread;
import static dev.tandem.model.TinyModels.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.model.TinyModels.Golden;
import dev.tandem.model.TinyModels.GoldenSequence;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Logits of every forward path vs. the PyTorch reference ({@code tools/reference}) on the tiny
 * models: F32 with GQA, BF16 tied with MQA, F16 sharded with MHA. Max abs error ≤ {@value
 * TinyModels#TOLERANCE} for all three.
 */
class GoldenLogitsTest {
  static ModelRuntime runtime;

  @BeforeAll
  static void start() {
    runtime = new ModelRuntime(1);
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  static List<String> models() {
    return TinyModels.NAMES;
  }

  private static Model load(String name) throws IOException {
    return runtime.load(TinyModels.dir(name), ModelOptions.DEFAULT.withBackend(Backend.VECTOR));
  }

  @ParameterizedTest
  @MethodSource("models")
  void prefillGivesReferenceLogitsForEveryPosition(String name) throws IOException {
    Golden golden = TinyModels.golden(name);
    try (Model model = load(name)) {
      for (GoldenSequence g : golden.sequences()) {
        Sequence seq = model.newSequence(32);
        Logits logits = onModelThread(runtime, () -> model.forward(seq, g.tokens()));
        assertEquals(g.tokens().length, logits.rows());
        assertLogits(g.logits(), 0, logits, TOLERANCE, name + " prefill");
        assertEquals(g.tokens().length, seq.length());
      }
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void prefillThenOneTokenDecodeStepsGiveReferenceLogits(String name) throws IOException {
    GoldenSequence g = TinyModels.golden(name).sequences().get(0);
    try (Model model = load(name)) {
      Sequence seq = model.newSequence(g.tokens().length);
      Logits last = onModelThread(runtime, () -> model.prefill(seq, slice(g.tokens(), 0, 4)));
      assertLogits(g.logits(), 3, last, TOLERANCE, name + " prefill last row");
      for (int p = 4; p < g.tokens().length; p++) {
        int[] one = {g.tokens()[p]};
        Logits step = onModelThread(runtime, () -> model.forward(seq, one));
        assertLogits(g.logits(), p, step, TOLERANCE, name + " decode");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void blockScoringAfterRollbackEqualsFreshComputation(String name) throws IOException {
    GoldenSequence g = TinyModels.golden(name).sequences().get(0);
    int[] t = g.tokens();
    try (Model model = load(name)) {
      Sequence seq = model.newSequence(16);
      onModelThread(runtime, () -> model.prefill(seq, slice(t, 0, 6)));
      // a rejected draft: 4 wrong tokens scored, then rolled back to the accepted length 5
      onModelThread(runtime, () -> model.forward(seq, new int[] {7, 8, 9, 10}));
      seq.truncate(5);
      // verifier-style block: [last accepted token, d1..dk] -> k+1 distributions
      Logits block = onModelThread(runtime, () -> model.forward(seq, slice(t, 5, 12)));
      assertEquals(7, block.rows());
      assertLogits(g.logits(), 5, block, TOLERANCE, name + " block after rollback");
      assertEquals(12, seq.length());
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void batchedForwardEqualsPerSequenceForward(String name) throws IOException {
    Golden golden = TinyModels.golden(name);
    int[] a = golden.sequences().get(0).tokens();
    int[] b = golden.sequences().get(1).tokens();
    try (Model model = load(name)) {
      Sequence sa = model.newSequence(16);
      Sequence sb = model.newSequence(16);
      Sequence sc = model.newSequence(16);
      // different lengths in one batch: a block of 5, a prefill of 3 (last row only), one token
      onModelThread(runtime, () -> model.forward(sa, slice(a, 0, 3)));
      onModelThread(runtime, () -> model.forward(sc, slice(b, 0, 6)));
      List<SequenceInput> batch =
          List.of(
              SequenceInput.all(sa, slice(a, 3, 8)),
              new SequenceInput(sb, slice(b, 0, 3), false),
              SequenceInput.all(sc, slice(b, 6, 7)));
      List<Logits> out = onModelThread(runtime, () -> model.forwardBatch(batch));
      assertLogits(golden.sequences().get(0).logits(), 3, out.get(0), TOLERANCE, "batch a");
      assertLogits(golden.sequences().get(1).logits(), 2, out.get(1), TOLERANCE, "batch b");
      assertLogits(golden.sequences().get(1).logits(), 6, out.get(2), TOLERANCE, "batch c");
      // and what the sequence gets alone (within float rounding: the JIT may reduce lanes in
      // a different order in interpreted and compiled code)
      Sequence alone = model.newSequence(16);
      onModelThread(runtime, () -> model.forward(alone, slice(a, 0, 3)));
      Logits single = onModelThread(runtime, () -> model.forward(alone, slice(a, 3, 8)));
      assertArrayEquals(single.data(), out.get(0).data(), 1e-5f);
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void inputsLongerThanOnePassAreSplitAcrossPasses(String name) throws IOException {
    GoldenSequence g = TinyModels.golden(name).sequences().get(0);
    ModelOptions small = new ModelOptions(Backend.VECTOR, 5, false);
    try (Model model = runtime.load(TinyModels.dir(name), small)) {
      Sequence s1 = model.newSequence(16);
      Sequence s2 = model.newSequence(16);
      List<SequenceInput> batch =
          new ArrayList<>(
              List.of(SequenceInput.all(s1, g.tokens()), SequenceInput.all(s2, g.tokens())));
      List<Logits> out = onModelThread(runtime, () -> model.forwardBatch(batch));
      assertLogits(g.logits(), 0, out.get(0), TOLERANCE, name + " split s1");
      assertLogits(g.logits(), 0, out.get(1), TOLERANCE, name + " split s2");
    }
  }
}
