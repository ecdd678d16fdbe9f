package dev.tandem.loadtests;

import java.util.ArrayList;
import java.util.List;

/**
 * The timings of one streamed completion, from the client's side: when the request went out, when
 * each event carrying tokens arrived, and how many tokens it produced in all. What users wait for,
 * measured separately:
 *
 * <ul>
 *   <li><b>TTFT</b>: request → first event carrying a token;
 *   <li><b>ITL</b> (inter-token latency): each gap between consecutive token events (a speculative
 *       step delivers several tokens in one event, so this is the gap users see);
 *   <li><b>TPOT</b> (time per output token): (end − first token) / (tokens − 1);
 *   <li><b>end-to-end</b>: request → the stream's end.
 * </ul>
 *
 * <p>Times are {@link System#nanoTime()} values. Not thread-safe: one stream's callbacks arrive on
 * one thread (its client's event loop).
 */
final class StreamTimings {

  private final long startNanos;
  private final List<Long> eventNanos = new ArrayList<>();
  private long endNanos = -1;
  private int tokens;
  private int reportedTokens = -1;

  StreamTimings(long startNanos) {
    this.startNanos = startNanos;
  }

  /** An event that carried {@code count >= 1} tokens arrived at {@code nanos}. */
  void tokens(long nanos, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("a token event carries >= 1 token, got " + count);
    }
    eventNanos.add(nanos);
    tokens += count;
  }

  /**
   * The stream ended at {@code nanos}; {@code reportedTokens} is the server's count of completion
   * tokens (from its usage), or -1 when it sent none: then the counted tokens stand.
   */
  void end(long nanos, int reportedTokens) {
    endNanos = nanos;
    this.reportedTokens = reportedTokens;
    if (reportedTokens >= 0) {
      tokens = reportedTokens;
    }
  }

  /**
   * Whether the stream carried no token and the server's usage says it produced none: a completion
   * whose first token was the end of sequence (a sampled request can draw it) is a whole answer,
   * not a failed stream.
   */
  boolean reportedEmpty() {
    return eventNanos.isEmpty() && reportedTokens == 0;
  }

  long startNanos() {
    return startNanos;
  }

  int tokens() {
    return tokens;
  }

  boolean sawTokens() {
    return !eventNanos.isEmpty();
  }

  /** Request → first token event; requires {@link #sawTokens()}. */
  long ttftNanos() {
    return eventNanos.get(0) - startNanos;
  }

  long firstTokenNanos() {
    return eventNanos.get(0);
  }

  /** Gaps between consecutive token events, in arrival order. */
  long[] interTokenNanos() {
    long[] gaps = new long[Math.max(0, eventNanos.size() - 1)];
    for (int i = 1; i < eventNanos.size(); i++) {
      gaps[i - 1] = eventNanos.get(i) - eventNanos.get(i - 1);
    }
    return gaps;
  }

  long eventNanos(int i) {
    return eventNanos.get(i);
  }

  /** (end − first token) / (tokens − 1); 0 for a single token. Requires {@link #end}. */
  double tpotNanos() {
    return tokens <= 1 ? 0 : (double) (endNanos - eventNanos.get(0)) / (tokens - 1);
  }

  long endToEndNanos() {
    return endNanos - startNanos;
  }

  long endNanos() {
    return endNanos;
  }
}
