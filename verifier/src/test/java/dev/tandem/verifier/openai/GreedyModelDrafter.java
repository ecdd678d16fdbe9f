package dev.tandem.verifier.openai;

import dev.tandem.model.Logits;
import dev.tandem.model.Model;
import dev.tandem.model.Sequence;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A test drafter: greedy decoding with a model, optionally corrupting every n-th proposed token so
 * that a drafter over the verifier's own model is right often but not always. After a step it rolls
 * its cache back to the committed context and re-feeds the kept tokens: simple, not fast.
 */
final class GreedyModelDrafter implements DraftProposer {

  private final Model model;
  private final int capacity;
  private final int corruptEvery; // 0: never

  /**
   * @param capacity cache size of each session: prompt + generated + the longest draft
   * @param corruptEvery replace every n-th proposed token by another one; 0 never
   */
  GreedyModelDrafter(Model model, int capacity, int corruptEvery) {
    this.model = model;
    this.capacity = capacity;
    this.corruptEvery = corruptEvery;
  }

  @Override
  public String name() {
    return "test-greedy-" + model.config().vocabSize() + (corruptEvery > 0 ? "-corrupted" : "");
  }

  @Override
  public DraftSession open(int[] promptTokens, SamplingParams params) {
    return new Session(promptTokens);
  }

  private final class Session implements DraftSession {
    private final List<Integer> pending = new ArrayList<>(); // context not yet in the cache
    private Sequence sequence;
    private int committed; // context positions in the cache
    private int proposed; // tokens proposed so far, for corruption
    private int[] lastProposal = new int[0];

    Session(int[] prompt) {
      for (int token : prompt) {
        pending.add(token);
      }
    }

    @Override
    public CompletionStage<DraftBlock> propose(int k) {
      return model.runtime().submit(() -> draft(k));
    }

    // Model thread: feed the pending context, then k greedy tokens, one forward each.
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
      for (int i = 0; i < k; i++) {
        tokens[i] = logits.argmax(0);
        if (corruptEvery > 0 && ++proposed % corruptEvery == 0) {
          tokens[i] = (tokens[i] + 1) % model.config().vocabSize();
        }
        if (i + 1 < k) {
          logits = model.prefill(sequence, new int[] {tokens[i]});
        }
      }
      lastProposal = tokens;
      return DraftBlock.greedy(tokens);
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
    public void close() {}
  }
}
