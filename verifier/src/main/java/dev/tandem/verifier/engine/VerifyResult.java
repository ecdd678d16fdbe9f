package dev.tandem.verifier.engine;

import dev.tandem.speccore.Verdict;

/**
 * The answer to one verify.
 *
 * @param verdict accepted draft tokens and the next token
 * @param position positions now in the KV cache: previous position + 1 + accepted count (the next
 *     token is not in it yet)
 * @param load how busy the scoring was: sessions that shared the compute and whether positions cost
 *     throughput ({@link ScoringLoad#UNKNOWN} when the server did not say)
 */
public record VerifyResult(Verdict verdict, int position, ScoringLoad load) {

  public VerifyResult {
    if (load == null) {
      throw new IllegalArgumentException("load must not be null (ScoringLoad.UNKNOWN for none)");
    }
  }
}
