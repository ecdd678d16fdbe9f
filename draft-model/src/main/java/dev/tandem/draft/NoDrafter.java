package dev.tandem.draft;

import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The drafter that never drafts: every step is plain decoding (one verifier token per call). The
 * baseline speculation is measured against. Stateless and thread-safe.
 */
public final class NoDrafter implements DraftProposer {

  @Override
  public String name() {
    return "none";
  }

  @Override
  public DraftSession open(int[] promptTokens, SamplingParams params) {
    return new DraftSession() {
      @Override
      public CompletionStage<DraftBlock> propose(int k) {
        return CompletableFuture.completedFuture(DraftBlock.empty());
      }

      @Override
      public void commit(int keptDraftTokens, int nextToken) {
        if (keptDraftTokens != 0) {
          throw new IllegalArgumentException(
              "keptDraftTokens must be 0 for the none drafter, got " + keptDraftTokens);
        }
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public String toString() {
    return "none";
  }
}
