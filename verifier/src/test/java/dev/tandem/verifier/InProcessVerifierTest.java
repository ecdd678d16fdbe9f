package dev.tandem.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.model.Model;
import dev.tandem.model.ModelRuntime;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.verifier.engine.EngineOptions;
import dev.tandem.verifier.engine.ModelScoring;
import dev.tandem.verifier.engine.ScoringModel;
import dev.tandem.verifier.engine.ScoringSequence;
import dev.tandem.verifier.engine.SessionEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Speculative decoding through the in-process verifier is the verifier model's greedy output. */
class InProcessVerifierTest {

  private static ModelRuntime verifierRuntime;
  private static ModelRuntime draftRuntime;
  private static Model verifierModel;
  private static Model draftModel;

  @BeforeAll
  static void load() {
    verifierRuntime = new ModelRuntime(1);
    draftRuntime = new ModelRuntime(1);
    verifierModel = TestModels.load(verifierRuntime, TestModels.VERIFIER);
    draftModel = TestModels.load(draftRuntime, TestModels.DRAFT);
  }

  @AfterAll
  static void close() {
    verifierModel.close();
    draftModel.close();
    verifierRuntime.close();
    draftRuntime.close();
  }

  @ParameterizedTest(name = "drafter={0} k={1}")
  @CsvSource({"self,4", "other,3", "other,0", "self,16"})
  void greedySpeculationEqualsTheVerifiersOwnGreedyOutput(String drafterName, int k) {
    Model drafterModel = drafterName.equals("self") ? verifierModel : draftModel;
    try (InProcessVerifier verifier =
        new InProcessVerifier("tiny", verifierModel, EngineOptions.DEFAULTS)) {
      for (int seed = 0; seed < 3; seed++) {
        int[] prompt = TestModels.prompt(seed, 5 + seed);
        int[] expected = TestModels.decode(verifierModel, prompt, SamplingParams.GREEDY, 40);
        int[] actual =
            Speculate.generate(
                    verifier,
                    new ModelDrafter(drafterModel, 128),
                    prompt,
                    SamplingParams.GREEDY,
                    k,
                    40)
                .toCompletableFuture()
                .join();
        assertArrayEquals(expected, actual, "prompt seed " + seed);
      }
      assertEquals(0, verifier.engine().openSessions());
      assertEquals(0, verifier.engine().reservedKvTokens());
    }
  }

  @Test
  void concurrentSessionsAreBatchedAndGiveTheSameOutputAsAlone() {
    try (InProcessVerifier verifier =
        new InProcessVerifier("tiny", verifierModel, EngineOptions.DEFAULTS)) {
      assertConcurrentRunsEqualAlone(verifier, 3, 24);
      System.out.println("batching: " + verifier.engine().batchStats());
    }
  }

  @Test
  void twoModelThreadsRunTwoBatchesAtOnceWithTheSameOutputs() {
    try (ModelRuntime twoThreads = new ModelRuntime(2);
        Model model = TestModels.load(twoThreads, TestModels.VERIFIER)) {
      CountingScoring scoring = new CountingScoring(new ModelScoring("tiny", model));
      try (InProcessVerifier verifier =
          new InProcessVerifier(new SessionEngine(scoring, EngineOptions.DEFAULTS))) {
        assertConcurrentRunsEqualAlone(verifier, 2, 32);
        assertEquals(2, scoring.maxInFlight.get(), "most forwards in flight at once");
      }
    }
  }

  /** 16 sessions at once, each with the same output as the verifier model's own greedy run. */
  private static void assertConcurrentRunsEqualAlone(
      InProcessVerifier verifier, int k, int tokens) {
    List<CompletableFuture<int[]>> runs = new ArrayList<>();
    for (int s = 0; s < 16; s++) {
      runs.add(
          Speculate.generate(
                  verifier,
                  new ModelDrafter(draftModel, 128),
                  TestModels.prompt(s, 6),
                  SamplingParams.GREEDY,
                  k,
                  tokens)
              .toCompletableFuture());
    }
    for (int s = 0; s < 16; s++) {
      int[] alone =
          TestModels.decode(verifierModel, TestModels.prompt(s, 6), SamplingParams.GREEDY, tokens);
      assertArrayEquals(alone, runs.get(s).join(), "session " + s);
    }
    assertEquals(0, verifier.engine().openSessions());
  }

  /**
   * Delegates to a model and records how many forwards were ever in flight at once. The first
   * forward is held open (its result handed back late, off the model thread) until a second one
   * starts or 5 s pass, so a scheduler that allows two at once shows it even when the tiny model's
   * forwards finish faster than the next work arrives.
   */
  private static final class CountingScoring implements ScoringModel {
    private final ScoringModel delegate;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();
    private final CountDownLatch secondStarted = new CountDownLatch(1);
    final AtomicInteger maxInFlight = new AtomicInteger();

    CountingScoring(ScoringModel delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableFuture<List<float[][]>> forward(List<Input> inputs) {
      int now = inFlight.incrementAndGet();
      maxInFlight.accumulateAndGet(now, Math::max);
      if (now >= 2) {
        secondStarted.countDown();
      }
      CompletableFuture<List<float[][]>> result = delegate.forward(inputs);
      if (started.incrementAndGet() == 1) {
        result = result.thenApplyAsync(rows -> awaitSecond(rows));
      }
      // Decrement before the engine sees the result (and may start the next forward).
      return result.whenComplete((rows, error) -> inFlight.decrementAndGet());
    }

    private List<float[][]> awaitSecond(List<float[][]> rows) {
      try {
        secondStarted.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return rows;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public int vocabSize() {
      return delegate.vocabSize();
    }

    @Override
    public int contextLength() {
      return delegate.contextLength();
    }

    @Override
    public int parallelForwards() {
      return delegate.parallelForwards();
    }

    @Override
    public ScoringSequence newSequence(int capacity) {
      return delegate.newSequence(capacity);
    }
  }
}
