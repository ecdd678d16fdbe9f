package dev.tandem.router.engine;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time to first token per tier, queue included. A tier's prefills are modelled as one queue served
 * at a measured rate in milliseconds per prompt token (an exponentially weighted mean): a request
 * waits for the prompt tokens of every request of its tier still waiting for its first token, then
 * for its own. So the estimate for a prompt of n tokens is {@code msPerToken × (queued + n)}, and a
 * measured TTFT is divided by the tokens that were ahead of it plus its own. A tier with no
 * measurement yet estimates 0 (unknown: any TTFT target is assumed met until measured).
 *
 * <p>Every {@link #enqueue} is followed by exactly one {@link #firstToken} or {@link #abandoned}.
 *
 * <p>Threading: thread-safe.
 */
final class TtftTracker {

  static final double WEIGHT = 0.2;

  private final ConcurrentHashMap<String, Double> msPerToken = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicLong> queuedTokens = new ConcurrentHashMap<>();

  double estimateMs(String tier, int promptTokens) {
    return msPerToken.getOrDefault(tier, 0.0) * (queued(tier) + Math.max(1, promptTokens));
  }

  /** Prompt tokens of the tier's requests that have not had their first token yet. */
  long queued(String tier) {
    AtomicLong q = queuedTokens.get(tier);
    return q == null ? 0 : q.get();
  }

  /**
   * A request of {@code promptTokens} starts waiting for its first token.
   *
   * @return the prompt tokens queued ahead of it
   */
  long enqueue(String tier, int promptTokens) {
    return queue(tier).getAndAdd(Math.max(1, promptTokens));
  }

  /** The request's first token came {@code nanos} after {@link #enqueue}. */
  void firstToken(String tier, int promptTokens, long tokensAhead, long nanos) {
    int own = Math.max(1, promptTokens);
    queue(tier).addAndGet(-own);
    double sample = nanos / 1e6 / (tokensAhead + own);
    msPerToken.merge(tier, sample, (old, s) -> old + WEIGHT * (s - old));
  }

  /**
   * The request ended before its first token (refused, failed or cancelled): it leaves the queue.
   */
  void abandoned(String tier, int promptTokens) {
    queue(tier).addAndGet(-Math.max(1, promptTokens));
  }

  private AtomicLong queue(String tier) {
    return queuedTokens.computeIfAbsent(tier, t -> new AtomicLong());
  }
}
