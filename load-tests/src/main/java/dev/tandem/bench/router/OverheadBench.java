package dev.tandem.bench.router;

import dev.tandem.router.synthetic.SyntheticBackend;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the router itself costs, over the synthetic backend (no model): every stream's verifier
 * releases a verdict of 4 tokens (k = 3, every draft right) every {@code paceMs} on the stream's
 * own clock, so a chunk is due every {@code paceMs}.
 *
 * <p><b>Latency the router adds per chunk</b> = the chunk's arrival at the client minus the moment
 * the backend released the verdict that produced it. The backend reports each release ({@link
 * SyntheticBackend.ReleaseListener}: the {@code System.nanoTime()} at which the pacing tick
 * released the call, see {@link dev.tandem.router.synthetic.PacingTimer}) and the client stamps
 * each chunk's arrival with the same clock (CLOCK_MONOTONIC, also from another process); chunk
 * {@code i} of a stream comes from release {@code i} (the open call, then each verify call),
 * streams are told apart by their prompt ({@link ReleaseLog}). What lies between the two stamps is
 * the router's whole path (the hop to the request's event loop, the loop step, detokenizing, proto
 * building, the HTTP/2 write and flush) plus the client's share: loopback TCP, HTTP/2 and gRPC
 * decoding, and queueing on the client's event loops. The client runs in its own JVM ({@link
 * ClientProcess}) or in this one ({@link StreamFleet}), on the same cores either way. It counts the
 * wait behind the other verdicts the same tick released and a tick that comes late because the
 * event loop was busy, not the up to 1 ms a due verdict waits for the next tick (the backend's own
 * timing). Chunk intervals would count that, and a late chunk twice (its interval long, the next
 * one short), so they are only used for the pace column.
 *
 * <p><b>Keeps pace</b>: every stream completed and the slowest stream's mean chunk interval is
 * within 10 % of a lone stream's (the pace as the backend delivers it).
 *
 * <p>Alongside, what this JVM spent per chunk ({@link JvmCounters}: CPU time and bytes allocated;
 * the router's alone when the client has its own JVM) and the garbage-collector pauses of each JVM
 * during the level, the usual suspects for the tail, and the machine's load average.
 */
public final class OverheadBench {

  /**
   * Warm-up runs at the largest level. With one, the 2,000-stream level (20 ms pace) read 23–25 ms
   * per chunk and the same level run again and again settled at 20.7–21.8 ms from its fourth or
   * fifth run on (the JIT and G1's young-generation sizing catching up with that load), so a level
   * measured a router seconds into that load, not one serving it steadily.
   */
  static final int WARM_UPS_AT_LARGEST = 4;

  /**
   * Warm-up runs of short streams (two steps each) at the largest level, after the full ones: the
   * request's own path (parsing, routing, reserving, opening sessions, the summary, settling, the
   * log lines) runs once per request, so after the full warm-ups (about 9,000 requests) it was
   * still being compiled by C2 during the measured levels (0.3–0.7 s of compiler time per
   * 500-stream level) and each level's opening stalled the streams already open for 20–40 ms: added
   * latency p99 6–13 ms at 500 streams, where the same router after 60,000 more requests (thirty
   * runs of 2,000 two-step streams) reads 1.2–1.3 ms (BENCHMARKS.md). A router serving for hours
   * has compiled it; a level should measure that one.
   */
  static final int SHORT_WARM_UPS_AT_LARGEST = 30;

  /** Steps per stream in the short warm-up runs. */
  private static final int SHORT_WARM_UP_STEPS = 2;

  private final ChunkClient client;
  private final Consumer<ReleaseLog> releases;
  private final String title;
  private final PrintStream out;
  private final double paceMs;
  private final LongestGcPause longestPause = new LongestGcPause();

  /**
   * @param releases installs the log in which the server records each level's releases
   * @param title the table's title, a format string given the pace in milliseconds
   */
  OverheadBench(
      ChunkClient client,
      Consumer<ReleaseLog> releases,
      String title,
      PrintStream out,
      double paceMs) {
    this.client = client;
    this.releases = releases;
    this.title = title;
    this.out = out;
    this.paceMs = paceMs;
  }

  /** Over the synthetic router's backend. */
  static OverheadBench overSynthetic(
      ChunkClient client, SyntheticBackend backend, PrintStream out, double paceMs) {
    return new OverheadBench(
        client,
        backend::watchReleases,
        "Router overhead (synthetic backend: one 4-token step every %.0f ms per stream)",
        out,
        paceMs);
  }

  /**
   * One load level's result; latencies in milliseconds.
   *
   * @param added added latency of every chunk after a stream's first
   * @param streaming added latency of the chunks released once every stream of the level had its
   *     first chunk released: the steady state, without the level's opening, where the router also
   *     admits the streams still arriving
   * @param firstChunk added latency of each stream's first chunk, which also carries the request's
   *     admission (parsing, tokenizing on a worker, opening the sessions): time to first token's
   *     share of the router, apart from the steady state
   * @param spent what this JVM (the router's, with the client when it runs here) spent while the
   *     level ran
   * @param longestPauseMillis this JVM's longest GC pause during the level
   * @param clientSpent what the client's JVM spent, when it has its own
   * @param loadAverage the machine's 1-minute load average at the level's end
   */
  public record Level(
      int streams,
      int completed,
      Percentiles added,
      Percentiles streaming,
      Percentiles firstChunk,
      double worstStreamInterval,
      double chunksPerSecond,
      long chunks,
      JvmCounters spent,
      long longestPauseMillis,
      Optional<JvmCounters> clientSpent,
      double loadAverage) {
    public boolean keepsPace(double loneIntervalMs) {
      return completed == streams && worstStreamInterval <= 1.1 * loneIntervalMs;
    }
  }

  Level run(int streams, int stepsPerStream) {
    ReleaseLog releases = new ReleaseLog(streams, stepsPerStream + 2);
    this.releases.accept(releases);
    JvmCounters before = JvmCounters.now();
    longestPause.reset();
    long start = System.nanoTime();
    ChunkClient.Arrivals arrivals = client.run(streams, stepsPerStream, paceMs);
    double seconds = (System.nanoTime() - start) / 1e9;
    JvmCounters spent = JvmCounters.now().minus(before);
    List<Double> added = new ArrayList<>();
    List<Double> streaming = new ArrayList<>();
    List<Double> firstChunk = new ArrayList<>();
    double worst = 0;
    long chunks = 0;
    int completed = 0;
    long allOpen = Long.MIN_VALUE; // when the last stream's first chunk was released
    for (int s = 0; s < streams; s++) {
      if (releases.count(s) > 0) {
        allOpen = Math.max(allOpen, releases.releasedAt(s, 0));
      }
    }
    for (int s = 0; s < streams; s++) {
      long[] at = arrivals.chunkNanos()[s];
      if (at == null) {
        continue;
      }
      completed++;
      chunks += at.length;
      if (releases.count(s) != at.length) {
        throw new IllegalStateException(
            "stream " + s + ": " + at.length + " chunks but " + releases.count(s) + " releases");
      }
      for (int i = 0; i < at.length; i++) {
        double ms = (at[i] - releases.releasedAt(s, i)) / 1e6;
        (i == 0 ? firstChunk : added).add(ms);
        if (i > 0 && releases.releasedAt(s, i) > allOpen) {
          streaming.add(ms);
        }
      }
      if (at.length > 1) {
        worst = Math.max(worst, (at[at.length - 1] - at[0]) / 1e6 / (at.length - 1));
      }
    }
    return new Level(
        streams,
        completed,
        new Percentiles(added),
        new Percentiles(streaming),
        new Percentiles(firstChunk),
        worst,
        chunks / seconds,
        chunks,
        spent,
        longestPause.millis(),
        arrivals.clientSpent(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  /** A lone stream (the reference) and each level, as measured in one run. */
  public record Result(Level lone, List<Level> levels) {}

  /** The added latency at each stream count, and whether the streams kept their pace. */
  Result report(List<Integer> levels, int stepsPerStream) {
    out.println();
    out.printf("#### " + title + "%n%n", paceMs);
    // Warm-up until the JIT is done with the hot path, at the largest level too: with a shorter
    // one the C2 compiler thread still takes a third to a half of a core during the levels.
    run(levels.get(0), stepsPerStream);
    int largest = levels.stream().mapToInt(Integer::intValue).max().orElseThrow();
    for (int i = 0; i < WARM_UPS_AT_LARGEST; i++) {
      run(largest, stepsPerStream);
    }
    for (int i = 0; i < SHORT_WARM_UPS_AT_LARGEST; i++) {
      run(largest, SHORT_WARM_UP_STEPS);
    }
    run(levels.get(0), stepsPerStream);
    Level lone = run(1, stepsPerStream);
    boolean apart = client instanceof ClientProcess;
    out.printf(
        "Added latency per chunk: from the backend releasing a verdict to the chunk arriving at the"
            + " %s, chunks after each stream's first (a lone stream: p50 %.3f ms); \"all streams"
            + " open\": only the chunks released after every stream of the level had its first"
            + " one (the level's opening left out)."
            + " A lone stream's mean chunk interval is %.2f ms (the pace as the backend delivers"
            + " it); a stream keeps pace within 10 %% of it. CPU and allocation per chunk: %s.%n%n",
        client.where(),
        lone.added().at(50),
        lone.worstStreamInterval(),
        apart ? "the router's JVM alone" : "router and client together (one JVM)");
    out.println(
        "| streams | completed | added latency per chunk p50 / p99 / p99.9 / max ms | all streams open: p50 / p99 ms | first chunk p50 / p99 ms | slowest stream's mean chunk interval ms | chunks/s | keeps pace (≤ +10 %) | CPU µs / allocated KB per chunk | GC pauses: count, total, longest ms | client GC pauses: count, total ms | JIT ms | load average (1 min) |");
    out.println("|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
    List<Level> measured = new ArrayList<>();
    for (int streams : levels) {
      Level l = run(streams, stepsPerStream);
      measured.add(l);
      out.printf(
          "| %d | %d | %.2f / %.2f / %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %.1f | %.0f | %s | %.1f / %.2f | %d, %d, %d | %s | %d | %.2f |%n",
          l.streams(),
          l.completed(),
          l.added().at(50),
          l.added().at(99),
          l.added().at(99.9),
          l.added().at(100),
          l.streaming().at(50),
          l.streaming().at(99),
          l.firstChunk().at(50),
          l.firstChunk().at(99),
          l.worstStreamInterval(),
          l.chunksPerSecond(),
          l.keepsPace(lone.worstStreamInterval()) ? "yes" : "no",
          l.spent().cpuNanos() / 1e3 / l.chunks(),
          l.spent().allocatedBytes() / 1024.0 / l.chunks(),
          l.spent().gcPauses(),
          l.spent().gcPauseMillis(),
          l.longestPauseMillis(),
          l.clientSpent().map(c -> c.gcPauses() + ", " + c.gcPauseMillis()).orElse("(same JVM)"),
          l.spent().jitMillis(),
          l.loadAverage());
      out.flush();
    }
    return new Result(lone, measured);
  }
}
