package dev.tandem.model;

import static dev.tandem.model.TinyModels.TOLERANCE;
import static dev.tandem.model.TinyModels.assertLogits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.TinyModels.GoldenSequence;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The threading contract: async calls from any thread, forwards in parallel on distinct sequences.
 */
class ModelRuntimeTest {

  @Test
  void asyncForwardsOnSeveralSequencesRunInParallelOnTheModelThreads() throws IOException {
    String name = "tiny-gqa-f32";
    GoldenSequence g = TinyModels.golden(name).sequences().get(0);
    try (ModelRuntime runtime = new ModelRuntime(2);
        Model model = runtime.loadAsync(TinyModels.dir(name), ModelOptions.DEFAULT).join()) {
      assertFalse(runtime.onModelThread());
      List<CompletableFuture<Logits>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Sequence seq = model.newSequence(16);
        // each sequence: prefill 4 tokens, then a block of the remaining 8, chained
        results.add(
            model
                .prefillAsync(seq, TinyModels.slice(g.tokens(), 0, 4))
                .thenCompose(
                    first -> model.forwardAsync(seq, TinyModels.slice(g.tokens(), 4, 12))));
      }
      for (CompletableFuture<Logits> r : results) {
        Logits block = r.join();
        assertEquals(8, block.rows());
        assertLogits(g.logits(), 4, block, TOLERANCE, "parallel sequence");
      }
      assertTrue(runtime.submit(runtime::onModelThread).join());
    }
  }
}
