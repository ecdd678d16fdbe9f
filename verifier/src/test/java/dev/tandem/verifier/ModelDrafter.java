package dev.tandem.verifier;

import dev.tandem.model.Logits;
import dev.tandem.model.Model;
import dev.tandem.model.Sampler;
import dev.tandem.model.Sequence;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SparseDistribution;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small test drafter over a model: samples draft tokens with the request's params (its own
 * generator, seeded apart from the verifier's) and reports the distribution each came from. After a
 * step it rolls its cache back to the committed context and re-feeds the kept tokens: simple, not
 * fast.
 */
final class ModelDrafter implements DraftProposer {

  final AtomicInteger closes = new AtomicInteger();
  private final Model model;
  private final int capacity;

  /**
   * @param capacity cache size of each session: prompt + generated + the longest draft
   */
  ModelDrafter(Model model, int capacity) {
    this.model = model;
    this.capacity = capacity;
  }

  @Override
  public String name() {
    return "test-model-drafter";
  }

  @Override
  public DraftSession open(int[] promptTokens, SamplingParams params) {
    return new Session(promptTokens, params);
  }

  private final class Session implements DraftSession {
    private final Sampler sampler;
    private final List<Integer> pending = new ArrayList<>(); // context not yet in the cache
    private Sequence sequence;
    private int committed; // context positions in the cache
    private int[] lastProposal = new int[0];

    Session(int[] prompt, SamplingParams params) {
      this.sampler = new Sampler(params, new SplittableRandom(params.seed() * 31 + 17));
      for (int token : prompt) {
        pending.add(token);
      }
    }

    @Override
    public CompletionStage<DraftBlock> propose(int k) {
      return model.runtime().submit(() -> draft(k));
    }

    // Model thread: feed the pending context, then sample k tokens one forward each.
    private DraftBlock draft(int k) {
      if (sequence == null) {
        sequence = model.newSequence(capacity);
      }
      sequence.truncate(committed);
      Logits logits =
          model.prefill(sequence, pending.stream().mapToInt(Integer::intValue).toArray());
      committed = sequence.length();
      pending.clear();
      int[] tokens = new int[k];
      SparseDistribution[] probs = new SparseDistribution[k];
      for (int i = 0; i < k; i++) {
        Sampler.Sample sample = sampler.sample(logits.last());
        tokens[i] = sample.token();
        probs[i] = sample.distribution();
        if (i + 1 < k) {
          logits = model.prefill(sequence, new int[] {tokens[i]});
        }
      }
      lastProposal = tokens;
      return new DraftBlock(tokens, probs);
    }

    @Override
    public void commit(int keptDraftTokens, int nextToken) {
      for (int i = 0; i < keptDraftTokens; i++) {
        pending.add(lastProposal[i]);
      }
      pending.add(nextToken);
      lastProposal = new int[0];
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }
}
