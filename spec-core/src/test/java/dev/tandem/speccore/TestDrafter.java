package dev.tandem.speccore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;

/**
 * A drafter that draws each draft token from {@code q(previous token)}, a test-chosen rule: a point
 * mass for greedy drafts (right, wrong, a noisy table's argmax) or a transformed table row for
 * sampled drafts. Keeps the full context so tests can check the commit protocol.
 */
final class TestDrafter implements DraftProposer {

  final AtomicInteger proposes = new AtomicInteger();
  final AtomicInteger closes = new AtomicInteger();
  private final IntFunction<SparseDistribution> q;
  private final Executor executor;
  private volatile Session lastSession;

  /**
   * @param q the draft distribution after a given previous token
   * @param executor null to complete synchronously
   */
  TestDrafter(IntFunction<SparseDistribution> q, Executor executor) {
    this.q = q;
    this.executor = executor;
  }

  /** Always proposes the target's greedy token. */
  static TestDrafter alwaysRight(MarkovTable target, Executor executor) {
    return new TestDrafter(
        prev -> pointMass(SamplingTransform.argmax(target.after(prev))), executor);
  }

  /** Always proposes a token other than the target's greedy one. */
  static TestDrafter alwaysWrong(MarkovTable target, Executor executor) {
    int vocab = target.vocab();
    return new TestDrafter(
        prev -> pointMass((SamplingTransform.argmax(target.after(prev)) + 1) % vocab), executor);
  }

  /** Proposes uniformly random tokens (q uniform). */
  static TestDrafter random(int vocab, Executor executor) {
    float[] uniform = new float[vocab];
    Arrays.fill(uniform, 1f / vocab);
    SparseDistribution q = SamplingTransform.sparse(uniform);
    return new TestDrafter(prev -> q, executor);
  }

  /** Samples from a table's rows under {@code params} (greedy params: its argmax). */
  static TestDrafter fromTable(MarkovTable draft, SamplingParams params, Executor executor) {
    return new TestDrafter(
        prev ->
            SamplingTransform.sparse(SamplingTransform.probabilities(draft.after(prev), params)),
        executor);
  }

  private static SparseDistribution pointMass(int token) {
    return SparseDistribution.pointMass(token);
  }

  @Override
  public String name() {
    return "test-drafter";
  }

  @Override
  public Session open(int[] prompt, SamplingParams params) {
    Session session = new Session(prompt, new SplittableRandom(params.seed() * 31 + 17));
    lastSession = session;
    return session;
  }

  Session lastSession() {
    return lastSession;
  }

  final class Session implements DraftSession {
    final List<Integer> context = new ArrayList<>();
    private final RandomGenerator rng;
    private int[] lastProposal = new int[0];

    Session(int[] prompt, RandomGenerator rng) {
      this.rng = rng;
      for (int token : prompt) {
        context.add(token);
      }
    }

    @Override
    public CompletionStage<DraftBlock> propose(int k) {
      proposes.incrementAndGet();
      if (executor == null) {
        return CompletableFuture.completedFuture(draft(k));
      }
      return CompletableFuture.supplyAsync(() -> draft(k), executor);
    }

    private DraftBlock draft(int k) {
      int[] tokens = new int[k];
      SparseDistribution[] probs = new SparseDistribution[k];
      int previous = context.get(context.size() - 1);
      for (int i = 0; i < k; i++) {
        probs[i] = q.apply(previous);
        tokens[i] = SamplingTransform.sample(probs[i], rng);
        previous = tokens[i];
      }
      lastProposal = tokens;
      return new DraftBlock(tokens, probs);
    }

    @Override
    public void commit(int keptDraftTokens, int nextToken) {
      if (keptDraftTokens > lastProposal.length) {
        throw new IllegalStateException("kept " + keptDraftTokens + " of " + lastProposal.length);
      }
      for (int i = 0; i < keptDraftTokens; i++) {
        context.add(lastProposal[i]);
      }
      context.add(nextToken);
      lastProposal = new int[0];
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }
}
