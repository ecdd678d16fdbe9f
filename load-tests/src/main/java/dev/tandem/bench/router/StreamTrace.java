package dev.tandem.bench.router;

import dev.tandem.proto.v1.GenerationSummary;
import java.util.List;

/**
 * What one streamed request looked like from the client: when it started, when each chunk arrived
 * and how many tokens it carried, and the final summary.
 *
 * @param startNanos when the request was sent
 * @param chunkNanos arrival time of each chunk that carried tokens (primitive: thousands of live
 *     streams' boxed timestamps would make the benchmark's own GC pauses longer)
 * @param chunkTokens tokens in each such chunk
 * @param endNanos arrival of the last chunk
 * @param summary the router's summary (usage, speculation figures)
 */
record StreamTrace(
    long startNanos,
    long[] chunkNanos,
    List<Integer> chunkTokens,
    long endNanos,
    GenerationSummary summary) {

  int tokens() {
    return summary.getUsage().getCompletionTokens();
  }

  double ttftMillis() {
    return chunkNanos.length == 0 ? Double.NaN : (chunkNanos[0] - startNanos) / 1e6;
  }

  double seconds() {
    return (endNanos - startNanos) / 1e9;
  }

  /** Time per output token after the first (TPOT), milliseconds. */
  double tpotMillis() {
    int n = tokens();
    return n <= 1 || chunkNanos.length == 0
        ? Double.NaN
        : (endNanos - chunkNanos[0]) / 1e6 / (n - 1);
  }
}
