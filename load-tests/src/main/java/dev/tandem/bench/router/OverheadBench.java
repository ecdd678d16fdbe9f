package dev.tandem.bench.router;

import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.Speculation;
import dev.tandem.router.synthetic.SyntheticBackend;
import io.vertx.core.Future;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * What the router itself costs, over the synthetic backend (no model): every stream's verifier
 * releases a verdict of 4 tokens (k = 3, every draft right) every {@code paceMs} on the stream's
 * own clock, so a chunk is due every {@code paceMs}.
 *
 * <p><b>Latency the router adds per chunk</b> = the chunk's arrival at the client minus the moment
 * the backend released the verdict that produced it. The backend reports each release ({@link
 * SyntheticBackend.ReleaseListener}: the {@code System.nanoTime()} at which the pacing tick
 * released the call, see {@link dev.tandem.router.synthetic.PacingTimer}) and the client stamps
 * each chunk's arrival with the same clock in the same JVM; chunk {@code i} of a stream comes from
 * release {@code i} (the open call, then each verify call), streams are told apart by their prompt
 * ({@link ReleaseLog}). What lies between the two stamps is the router's whole path (the hop to the
 * request's event loop, the loop step, detokenizing, proto building, the HTTP/2 write and flush)
 * plus the client's own share: loopback TCP, HTTP/2 and gRPC decoding, and queueing on the client's
 * event loop, which runs in this JVM on the same cores (on its own Vert.x instance and event loop,
 * over one HTTP/2 connection). It counts the wait behind the other verdicts the same tick released
 * and a tick that comes late because the event loop was busy, not the up to 1 ms a due verdict
 * waits for the next tick (the backend's own timing). Chunk intervals would count that, and a late
 * chunk twice (its interval long, the next one short), so they are only used for the pace column.
 *
 * <p><b>Keeps pace</b>: every stream completed and the slowest stream's mean chunk interval is
 * within 10 % of a lone stream's (the pace as the backend delivers it).
 *
 * <p>Alongside, what the JVM spent per chunk ({@link JvmCounters}: CPU time and bytes allocated by
 * router and client together) and the garbage-collector pauses during the level, the usual suspects
 * for the tail.
 *
 * <p>Streams start spread evenly over whole pace periods, as independent clients would arrive, at
 * most {@value #STARTS_PER_MS} a millisecond (the router admits them one by one on its event loop:
 * faster, their sessions would open in clumps). The backend paces each session on its own clock, so
 * the streams keep these phases and each pacing tick releases about streams / pace-in-ms of them.
 * Started all at once they would stay in lockstep and every tick would release all of them together
 * (which is what the figures recorded before this measurement's p99 consisted of).
 */
public final class OverheadBench {

  private static final int STARTS_PER_MS = 5;

  private final StreamClient client;
  private final SyntheticBackend backend;
  private final PrintStream out;
  private final double paceMs;

  OverheadBench(StreamClient client, SyntheticBackend backend, PrintStream out, double paceMs) {
    this.client = client;
    this.backend = backend;
    this.out = out;
    this.paceMs = paceMs;
  }

  /**
   * One load level's result; latencies in milliseconds.
   *
   * @param added added latency of every chunk after a stream's first
   * @param firstChunk added latency of each stream's first chunk, which also carries the request's
   *     admission (parsing, tokenizing on a worker, opening the sessions): time to first token's
   *     share of the router, apart from the steady state
   * @param spent what the JVM (router and client) spent while the level ran
   */
  public record Level(
      int streams,
      int completed,
      Percentiles added,
      Percentiles firstChunk,
      double worstStreamInterval,
      double chunksPerSecond,
      long chunks,
      JvmCounters spent) {
    public boolean keepsPace(double loneIntervalMs) {
      return completed == streams && worstStreamInterval <= 1.1 * loneIntervalMs;
    }
  }

  Level run(int streams, int stepsPerStream) {
    ReleaseLog releases = new ReleaseLog(streams, stepsPerStream + 2);
    backend.watchReleases(releases);
    List<Future<StreamTrace>> futures = new ArrayList<>();
    JvmCounters before = JvmCounters.now();
    long start = System.nanoTime();
    long ramp = (long) (paceMs * 1e6) * Math.ceilDiv(streams, (long) (STARTS_PER_MS * paceMs));
    long spacing = ramp / streams;
    for (int i = 0; i < streams; i++) {
      long due = start + i * spacing;
      for (long now; (now = System.nanoTime()) < due; ) {
        LockSupport.parkNanos(due - now);
      }
      futures.add(client.generate(request(i, stepsPerStream)));
    }
    List<StreamTrace> traces = new ArrayList<>();
    for (Future<StreamTrace> f : futures) {
      try {
        traces.add(f.toCompletionStage().toCompletableFuture().join());
      } catch (RuntimeException e) {
        traces.add(null); // counted as not completed
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    JvmCounters spent = JvmCounters.now().minus(before);
    List<Double> added = new ArrayList<>();
    List<Double> firstChunk = new ArrayList<>();
    double worst = 0;
    long chunks = 0;
    int completed = 0;
    for (int s = 0; s < streams; s++) {
      StreamTrace t = traces.get(s);
      if (t == null) {
        continue;
      }
      completed++;
      long[] at = t.chunkNanos();
      chunks += at.length;
      if (releases.count(s) != at.length) {
        throw new IllegalStateException(
            "stream " + s + ": " + at.length + " chunks but " + releases.count(s) + " releases");
      }
      for (int i = 0; i < at.length; i++) {
        (i == 0 ? firstChunk : added).add((at[i] - releases.releasedAt(s, i)) / 1e6);
      }
      if (at.length > 1) {
        worst = Math.max(worst, (at[at.length - 1] - at[0]) / 1e6 / (at.length - 1));
      }
    }
    return new Level(
        streams,
        completed,
        new Percentiles(added),
        new Percentiles(firstChunk),
        worst,
        chunks / seconds,
        chunks,
        spent);
  }

  private static GenerateRequest request(int stream, int steps) {
    return GenerateRequest.newBuilder()
        .setPrompt(ReleaseLog.prompt(stream))
        .setMaxTokens(4 * steps)
        .setReturnTokenIds(true)
        .setSpeculation(
            Speculation.newBuilder()
                .setMode(Speculation.Mode.MODE_FIXED)
                .setK(3)) // drafter auto: the synthetic router's default, the synthetic drafter
        .build();
  }

  /** A lone stream (the reference) and each level, as measured in one run. */
  public record Result(Level lone, List<Level> levels) {}

  /** The added latency at each stream count, and whether the streams kept their pace. */
  Result report(List<Integer> levels, int stepsPerStream) {
    out.println();
    out.printf(
        "#### Router overhead (synthetic backend: one 4-token step every %.0f ms per stream)%n%n",
        paceMs);
    // Warm-up until the JIT is done with the hot path, at the largest level too: with a shorter
    // one the C2 compiler thread still takes a third to a half of a core during the levels.
    run(levels.get(0), stepsPerStream);
    run(levels.stream().mapToInt(Integer::intValue).max().orElseThrow(), stepsPerStream);
    run(levels.get(0), stepsPerStream);
    Level lone = run(1, stepsPerStream);
    out.printf(
        "Added latency per chunk: from the backend releasing a verdict to the chunk arriving at the"
            + " in-process client, chunks after each stream's first (a lone stream: p50 %.3f ms)."
            + " A lone stream's mean chunk interval is %.2f ms (the pace as the backend delivers"
            + " it); a stream keeps pace within 10 %% of it.%n%n",
        lone.added().at(50), lone.worstStreamInterval());
    out.println(
        "| streams | completed | added latency per chunk p50 / p99 / p99.9 / max ms | first chunk p50 / p99 ms | slowest stream's mean chunk interval ms | chunks/s | keeps pace (≤ +10 %) | CPU µs / allocated KB per chunk | GC pauses: count, total ms | JIT ms |");
    out.println("|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|");
    List<Level> measured = new ArrayList<>();
    for (int streams : levels) {
      Level l = run(streams, stepsPerStream);
      measured.add(l);
      out.printf(
          "| %d | %d | %.2f / %.2f / %.2f / %.2f | %.2f / %.2f | %.1f | %.0f | %s | %.1f / %.2f | %d, %d | %d |%n",
          l.streams(),
          l.completed(),
          l.added().at(50),
          l.added().at(99),
          l.added().at(99.9),
          l.added().at(100),
          l.firstChunk().at(50),
          l.firstChunk().at(99),
          l.worstStreamInterval(),
          l.chunksPerSecond(),
          l.keepsPace(lone.worstStreamInterval()) ? "yes" : "no",
          l.spent().cpuNanos() / 1e3 / l.chunks(),
          l.spent().allocatedBytes() / 1024.0 / l.chunks(),
          l.spent().gcPauses(),
          l.spent().gcPauseMillis(),
          l.spent().jitMillis());
      out.flush();
    }
    return new Result(lone, measured);
  }
}
