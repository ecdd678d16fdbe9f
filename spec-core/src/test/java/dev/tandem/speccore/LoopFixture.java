package dev.tandem.speccore;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Shared scenario pieces for loop tests: a greedy target, sessions, and session decorators. */
final class LoopFixture {

  static final MarkovTable TARGET = MarkovTable.random(10, 3.0, 5);
  static final int[] PROMPT = {1, 2};

  private LoopFixture() {}

  static int[] greedy(int count) {
    return TARGET.greedyDecode(PROMPT, count);
  }

  static SpeculationLoopBuilder builder(
      TestDrafter drafter, VerifierSession verifier, TokenSink sink) {
    return SpeculationLoop.builder()
        .draft(drafter.open(PROMPT, SamplingParams.GREEDY))
        .verifier(verifier)
        .sink(sink);
  }

  static TestVerifier.Session verifierSession(TestVerifier verifier) {
    return verifier.openNow(PROMPT, SamplingParams.GREEDY);
  }

  static <T> T await(CompletionStage<T> stage) throws ExecutionException {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("stage did not complete", e);
    }
  }

  /** A verifier session whose n-th verify (1-based) is replaced by {@code override}. */
  static VerifierSession overridingVerify(
      VerifierSession delegate, int call, IntFunction<CompletionStage<Verdict>> override) {
    return new VerifierSession() {
      private int calls;

      @Override
      public int firstToken() {
        return delegate.firstToken();
      }

      @Override
      public CompletionStage<Verdict> verify(DraftBlock draft) {
        calls++;
        CompletionStage<Verdict> real = delegate.verify(draft);
        return calls == call ? override.apply(calls).thenCombine(real, (ignored, v) -> v) : real;
      }

      @Override
      public void close() {
        delegate.close();
      }
    };
  }

  /** A sink that answers call n (1-based) with {@code answer}, CONTINUE at once otherwise. */
  static final class ScriptedSink extends CollectingSink {
    private final int call;
    private final CompletionStage<SinkSignal> answer;

    ScriptedSink(int call, CompletionStage<SinkSignal> answer) {
      this.call = call;
      this.answer = answer;
    }

    @Override
    public synchronized CompletionStage<SinkSignal> onTokens(int[] tokens) {
      super.onTokens(tokens);
      return calls.size() == call ? answer : CompletableFuture.completedFuture(SinkSignal.CONTINUE);
    }

    synchronized int[] sizes() {
      return calls.stream().mapToInt(a -> a.length).toArray();
    }
  }

  static int[] prefix(int[] tokens, int n) {
    return Arrays.copyOf(tokens, n);
  }
}
