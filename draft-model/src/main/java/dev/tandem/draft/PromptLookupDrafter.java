package dev.tandem.draft;

import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Prompt-lookup drafting (no model): finds the most recent earlier occurrence of the context's last
 * n tokens (n from {@code maxNgram} down to {@code minNgram}) and proposes the tokens that followed
 * it. Free to run, and strong when the output repeats the prompt (edits, code refactors,
 * extraction). Proposals are point masses, which keeps stochastic acceptance exact.
 *
 * <p>Stateless and thread-safe; each {@link DraftSession} belongs to one request's loop.
 */
public final class PromptLookupDrafter implements DraftProposer {

  private final int minNgram;
  private final int maxNgram;

  /**
   * @param minNgram shortest suffix to match, 1..maxNgram
   * @param maxNgram longest suffix to match, minNgram..8
   */
  public PromptLookupDrafter(int minNgram, int maxNgram) {
    if (minNgram < 1 || minNgram > maxNgram || maxNgram > 8) {
      throw new IllegalArgumentException(
          "ngram sizes must satisfy 1 <= min <= max <= 8, got min="
              + minNgram
              + " max="
              + maxNgram);
    }
    this.minNgram = minNgram;
    this.maxNgram = maxNgram;
  }

  @Override
  public String name() {
    return "ngram";
  }

  @Override
  public DraftSession open(int[] promptTokens, SamplingParams params) {
    return new Session(promptTokens);
  }

  @Override
  public String toString() {
    return "ngram(n=" + minNgram + ".." + maxNgram + ")";
  }

  private final class Session implements DraftSession {
    private int[] context;
    private int length;
    private int[] lastProposal = new int[0];

    Session(int[] prompt) {
      context = Arrays.copyOf(prompt, Math.max(16, prompt.length * 2));
      length = prompt.length;
    }

    @Override
    public CompletionStage<DraftBlock> propose(int k) {
      lastProposal = lookup(k);
      return CompletableFuture.completedFuture(DraftBlock.greedy(lastProposal));
    }

    /** Tokens that followed the most recent earlier match of the longest matching suffix. */
    private int[] lookup(int k) {
      if (k <= 0) {
        return new int[0];
      }
      for (int n = Math.min(maxNgram, length - 1); n >= minNgram; n--) {
        int suffixStart = length - n;
        for (int start = suffixStart - 1; start >= 0; start--) {
          if (Arrays.equals(context, start, start + n, context, suffixStart, length)) {
            int from = start + n;
            int count = Math.min(k, length - from);
            return Arrays.copyOfRange(context, from, from + count);
          }
        }
      }
      return new int[0];
    }

    @Override
    public void commit(int keptDraftTokens, int nextToken) {
      if (keptDraftTokens < 0 || keptDraftTokens > lastProposal.length) {
        throw new IllegalArgumentException(
            "keptDraftTokens must be in 0.." + lastProposal.length + ", got " + keptDraftTokens);
      }
      ensureCapacity(length + keptDraftTokens + 1);
      System.arraycopy(lastProposal, 0, context, length, keptDraftTokens);
      length += keptDraftTokens;
      context[length++] = nextToken;
      lastProposal = new int[0];
    }

    private void ensureCapacity(int needed) {
      if (needed > context.length) {
        context = Arrays.copyOf(context, Math.max(needed, context.length * 2));
      }
    }

    @Override
    public void close() {}
  }
}
