package dev.tandem.bench.router;

import java.util.Optional;

/**
 * The overhead benchmark's load: runs one level's streams against the router and says when each
 * chunk arrived, in this process ({@link StreamFleet}) or in a JVM of its own ({@link
 * ClientProcess}).
 *
 * <p>Threading: one caller at a time; {@link #run} blocks until every stream has ended.
 */
interface ChunkClient extends AutoCloseable {

  /**
   * Streams {@code streams} requests ({@link StreamFleet#request}), started spread over whole pace
   * periods, and waits for all of them.
   */
  Arrivals run(int streams, int steps, double paceMs);

  /** Where the client runs, for the table's caption. */
  String where();

  @Override
  void close();

  /**
   * @param chunkNanos per stream, the {@link System#nanoTime()} at which each chunk that carried
   *     tokens arrived (CLOCK_MONOTONIC on Linux: comparable across processes on one machine); null
   *     for a stream that failed
   * @param clientSpent what the client's own JVM spent during the level, when it is not this one
   */
  record Arrivals(long[][] chunkNanos, Optional<JvmCounters> clientSpent) {}
}
