package dev.tandem.bench.router;

import dev.tandem.proto.v1.GenerateRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Latency at rising load: {@code c} closed-loop clients (each sends its next request when the last
 * one ended) over the same requests, for each concurrency {@code c}. Per level: TTFT, inter-token
 * latency (gap between chunks) and TPOT percentiles, throughput, errors, and goodput, the share of
 * requests that met both SLOs (TTFT and TPOT).
 *
 * <p>Threading: {@link #run} blocks its caller; the requests run on the client's event loops.
 */
public final class LoadSweep {

  /** One level's figures; latencies in milliseconds. */
  public record Level(
      int concurrency,
      int requests,
      int errors,
      Percentiles ttft,
      Percentiles itl,
      Percentiles tpot,
      double tokensPerSecond,
      double goodputShare) {}

  private final StreamClient client;
  private final double sloTtftMillis;
  private final double sloTpotMillis;

  public LoadSweep(StreamClient client, double sloTtftMillis, double sloTpotMillis) {
    this.client = client;
    this.sloTtftMillis = sloTtftMillis;
    this.sloTpotMillis = sloTpotMillis;
  }

  /** Runs {@code perLevel} requests (cycling through {@code requests}) at each concurrency. */
  public List<Level> run(List<GenerateRequest> requests, List<Integer> levels, int perLevel)
      throws InterruptedException {
    // warm-up at the lowest level
    measure(requests, levels.get(0), Math.min(perLevel, requests.size()));
    List<Level> result = new ArrayList<>();
    for (int c : levels) {
      result.add(measure(requests, c, perLevel));
    }
    return result;
  }

  private Level measure(List<GenerateRequest> requests, int concurrency, int total)
      throws InterruptedException {
    List<StreamTrace> traces = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    for (int i = 0; i < concurrency; i++) {
      client.chain(n -> requests.get(n % requests.size()), total, next, traces, errors, done);
    }
    if (!done.await(30, TimeUnit.MINUTES)) {
      throw new IllegalStateException("load level " + concurrency + " did not finish in 30 min");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    List<Double> ttft = new ArrayList<>();
    List<Double> itl = new ArrayList<>();
    List<Double> tpot = new ArrayList<>();
    long tokens = 0;
    int good = 0;
    for (StreamTrace t : traces) {
      tokens += t.tokens();
      ttft.add(t.ttftMillis());
      tpot.add(t.tpotMillis());
      long[] at = t.chunkNanos();
      for (int i = 1; i < at.length; i++) {
        itl.add((at[i] - at[i - 1]) / 1e6);
      }
      double tp = Double.isNaN(t.tpotMillis()) ? 0 : t.tpotMillis();
      if (t.ttftMillis() <= sloTtftMillis && tp <= sloTpotMillis) {
        good++;
      }
    }
    return new Level(
        concurrency,
        traces.size() + errors.get(),
        errors.get(),
        new Percentiles(ttft),
        new Percentiles(itl),
        new Percentiles(tpot),
        tokens / seconds,
        (double) good / (traces.size() + errors.get()));
  }
}
