package dev.tandem.verifier.openai;

import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.Verdict;
import dev.tandem.speccore.VerifierSession;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * One sequence on an OpenAI-compatible server, held on this side only: the token ids so far. Every
 * verify sends the whole sequence plus the draft, and there is nothing to roll back there. (vLLM
 * skips prefix-cache reads for requests with prompt logprobs, so a scoring step re-runs prefill
 * over the whole sequence; see the module README.)
 *
 * <p>Threading: as {@link VerifierSession}. The sequence is written by the completion of one verify
 * (on a Vert.x worker thread) and read by the next call, ordered by that stage; {@link #close} may
 * come from any thread.
 */
final class OpenAiSession implements VerifierSession {

  private final CompletionsClient client;
  private final SamplingParams params;
  private final RandomGenerator rng;
  private final int firstToken;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final int capacity;
  private volatile int[] tokens; // [length] valid: prompt + emitted; the last is the last emitted
  private volatile int length;

  /**
   * @param prompt the prompt (owned by this session from now on)
   * @param firstToken the token the open chose after it
   * @param capacity the most tokens a verify may send: max length plus a last draft's slack
   * @param rng the session's generator, already used to draw the first token when sampling
   */
  OpenAiSession(
      CompletionsClient client,
      SamplingParams params,
      RandomGenerator rng,
      int[] prompt,
      int firstToken,
      int capacity) {
    this.client = client;
    this.params = params;
    this.rng = rng;
    this.firstToken = firstToken;
    this.capacity = capacity;
    int[] initial = Arrays.copyOf(prompt, 2 * prompt.length + DraftBlock.MAX_DRAFT);
    initial[prompt.length] = firstToken;
    this.tokens = initial;
    this.length = prompt.length + 1;
  }

  @Override
  public int firstToken() {
    return firstToken;
  }

  @Override
  public CompletionStage<Verdict> verify(DraftBlock draft) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("verify on a closed session of " + client.endpoint()));
    }
    if (length + draft.size() > capacity) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "a verify with "
                  + draft.size()
                  + " draft tokens needs "
                  + (length + draft.size())
                  + " positions; the session holds at most "
                  + capacity));
    }
    int[] sequence = Arrays.copyOf(tokens, length + draft.size());
    System.arraycopy(draft.tokens(), 0, sequence, length, draft.size());
    return client
        .score(sequence, draft.size())
        .thenApply(
            scored -> {
              Verdict verdict =
                  params.isGreedy()
                      ? TruncatedAcceptance.greedy(draft, scored)
                      : TruncatedAcceptance.sampled(draft, scored, params, rng);
              advance(draft, verdict);
              return verdict;
            });
  }

  /** Number of tokens in the sequence: prompt and everything emitted. */
  int length() {
    return length;
  }

  private void advance(DraftBlock draft, Verdict verdict) {
    int at = length;
    int[] grown = tokens;
    if (at + verdict.emittedCount() > grown.length) {
      grown = Arrays.copyOf(grown, Math.max(at + verdict.emittedCount(), 2 * grown.length));
    }
    System.arraycopy(draft.tokens(), 0, grown, at, verdict.acceptedCount());
    grown[at + verdict.acceptedCount()] = verdict.nextToken();
    tokens = grown;
    length = at + verdict.emittedCount();
  }

  /** Forgets the sequence; the server holds nothing to free. Idempotent. */
  @Override
  public void close() {
    closed.set(true);
  }
}
