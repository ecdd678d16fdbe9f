package dev.tandem.router.engine;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Measured time to first token per tier, as an exponentially weighted mean of milliseconds per
 * prompt token (prefill dominates it), scaled by a request's prompt length for the estimate. A tier
 * with no measurement yet estimates 0 (unknown: any TTFT target is assumed met until measured).
 *
 * <p>Threading: thread-safe.
 */
final class TtftTracker {

  static final double WEIGHT = 0.2;

  private final ConcurrentHashMap<String, Double> msPerToken = new ConcurrentHashMap<>();

  double estimateMs(String tier, int promptTokens) {
    return msPerToken.getOrDefault(tier, 0.0) * Math.max(1, promptTokens);
  }

  void observe(String tier, int promptTokens, long nanos) {
    double sample = nanos / 1e6 / Math.max(1, promptTokens);
    msPerToken.merge(tier, sample, (old, s) -> old + WEIGHT * (s - old));
  }
}
