package dev.tandem.speccore;

import static dev.tandem.speccore.LoopFixture.TARGET;
import static dev.tandem.speccore.LoopFixture.await;
import static dev.tandem.speccore.LoopFixture.builder;
import static dev.tandem.speccore.LoopFixture.greedy;
import static dev.tandem.speccore.LoopFixture.prefix;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Cancels racing with stages that complete on other threads: whenever the cancel lands, the loop
 * ends once, closes each session once, and what it emitted is a prefix of the exact output. The
 * interleavings vary from run to run; the assertions hold for every one of them.
 */
class SpeculationLoopRaceTest {

  private static final ExecutorService POOL = Executors.newFixedThreadPool(3);

  @AfterAll
  static void stopPool() {
    POOL.shutdownNow();
  }

  @Test
  void cancelFromAnotherThreadAtAnyMomentEndsTheLoopCleanly() throws Exception {
    int[] expected = greedy(60);
    for (int run = 0; run < 300; run++) {
      TestDrafter drafter =
          TestDrafter.fromTable(TARGET.perturbed(1.5, run), SamplingParams.GREEDY, POOL);
      TestVerifier verifier = new TestVerifier(TARGET, POOL);
      CollectingSink asyncSink =
          new CollectingSink() {
            @Override
            public CompletionStage<SinkSignal> onTokens(int[] tokens) {
              return super.onTokens(tokens).thenApplyAsync(signal -> signal, POOL);
            }
          };
      SpeculationLoop loop =
          builder(drafter, LoopFixture.verifierSession(verifier), asyncSink)
              .chooser(DraftLengthChooser.fixed(1 + run % 6))
              .maxTokens(expected.length)
              .build();
      long delayNanos = (run % 50) * 20_000L; // 0 .. 1 ms: spreads cancels over the run
      CompletableFuture<LoopResult> result = loop.start().toCompletableFuture();
      CompletableFuture.runAsync(
          () -> {
            LockSupport.parkNanos(delayNanos);
            loop.cancel();
          },
          POOL);

      LoopResult outcome = await(result);

      assertTrue(
          outcome.reason() == FinishReason.CANCELLED || outcome.reason() == FinishReason.LENGTH);
      assertArrayEquals(prefix(expected, outcome.generatedTokens()), asyncSink.tokens());
      assertEquals(1, drafter.closes.get(), "run " + run);
      assertEquals(1, verifier.closes.get(), "run " + run);
    }
  }
}
