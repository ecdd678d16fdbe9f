package dev.tandem.speccore;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A verifier over a {@link MarkovTable}: computes the k + 1 target rows from the table, transforms
 * them with the request's params, and accepts with a pluggable rule (the real {@link
 * AcceptanceSampler} unless a test wants a broken one). Completes synchronously when {@code
 * executor} is null, else on the executor.
 */
final class TestVerifier implements Verifier {

  /** The acceptance rule's signature, so a test can plug in a deliberately wrong one. */
  interface AcceptanceRule {
    Verdict accept(DraftBlock draft, float[][] target, SamplingParams params, RandomGenerator rng);
  }

  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger verifyCalls = new AtomicInteger();
  final AtomicInteger closes = new AtomicInteger();
  private final MarkovTable table;
  private final Executor executor;
  private final AcceptanceRule rule;

  TestVerifier(MarkovTable table, Executor executor, AcceptanceRule rule) {
    this.table = table;
    this.executor = executor;
    this.rule = rule;
  }

  TestVerifier(MarkovTable table, Executor executor) {
    this(table, executor, AcceptanceSampler::accept);
  }

  @Override
  public String name() {
    return "table-verifier";
  }

  @Override
  public CompletionStage<VerifierSession> open(int[] prompt, SamplingParams params, int maxLength) {
    opened.incrementAndGet();
    return complete(() -> new Session(prompt, params));
  }

  /** Opens synchronously, for tests that build a loop by hand. */
  Session openNow(int[] prompt, SamplingParams params) {
    return (Session) open(prompt, params, 1 << 20).toCompletableFuture().join();
  }

  private <T> CompletionStage<T> complete(Supplier<T> work) {
    return executor == null
        ? CompletableFuture.completedFuture(work.get())
        : CompletableFuture.supplyAsync(work, executor);
  }

  final class Session implements VerifierSession {
    final List<Integer> context = new ArrayList<>();
    private final SamplingParams params;
    private final RandomGenerator rng;
    private final int first;

    Session(int[] prompt, SamplingParams params) {
      this.params = params;
      this.rng = new SplittableRandom(params.seed());
      for (int token : prompt) {
        context.add(token);
      }
      float[] probs = SamplingTransform.probabilities(table.after(last()), params);
      first =
          params.isGreedy()
              ? SamplingTransform.argmax(probs)
              : SamplingTransform.sample(probs, rng);
      context.add(first);
    }

    @Override
    public int firstToken() {
      return first;
    }

    @Override
    public CompletionStage<Verdict> verify(DraftBlock draft) {
      verifyCalls.incrementAndGet();
      return complete(() -> score(draft));
    }

    private Verdict score(DraftBlock draft) {
      float[][] rows = new float[draft.size() + 1][]; // [k + 1][vocab]
      int previous = last();
      for (int i = 0; i <= draft.size(); i++) {
        rows[i] = SamplingTransform.probabilities(table.after(previous), params);
        previous = i < draft.size() ? draft.tokens()[i] : -1;
      }
      Verdict verdict = rule.accept(draft, rows, params, rng);
      for (int i = 0; i < verdict.acceptedCount(); i++) {
        context.add(draft.tokens()[i]);
      }
      context.add(verdict.nextToken());
      return verdict;
    }

    private int last() {
      return context.get(context.size() - 1);
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }
}
