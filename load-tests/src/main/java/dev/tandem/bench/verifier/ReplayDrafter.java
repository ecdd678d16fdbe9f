package dev.tandem.bench.verifier;

import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A benchmark drafter that costs nothing: it proposes the verifier's known greedy continuation,
 * with each draft token replaced by a wrong one at a fixed rate (decided by a hash of its position,
 * so every run drafts the same). Keeps the benchmark about the verifier's throughput.
 *
 * <p>Threading: as {@link DraftSession}; sessions are independent.
 */
final class ReplayDrafter implements DraftProposer {

  private final int[] continuation;
  private final double wrongRate;
  private final int vocab;

  /**
   * @param continuation the verifier's greedy output for the prompt this drafter will see
   * @param wrongRate fraction of draft tokens replaced by a wrong token, 0..1
   */
  ReplayDrafter(int[] continuation, double wrongRate, int vocab) {
    this.continuation = continuation;
    this.wrongRate = wrongRate;
    this.vocab = vocab;
  }

  @Override
  public String name() {
    return "replay";
  }

  @Override
  public DraftSession open(int[] promptTokens, SamplingParams params) {
    return new DraftSession() {
      private int generated; // tokens committed after the prompt

      @Override
      public CompletionStage<DraftBlock> propose(int k) {
        int n = Math.max(0, Math.min(k, continuation.length - generated));
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
          int at = generated + i;
          boolean wrong = Math.floorMod(at * 0x9E3779B9, 1000) < wrongRate * 1000;
          tokens[i] = wrong ? (continuation[at] + 1) % vocab : continuation[at];
        }
        return CompletableFuture.completedFuture(DraftBlock.greedy(tokens));
      }

      @Override
      public void commit(int keptDraftTokens, int nextToken) {
        generated += keptDraftTokens + 1;
      }

      @Override
      public void close() {}
    };
  }
}
