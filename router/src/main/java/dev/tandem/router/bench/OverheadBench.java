package dev.tandem.router.bench;

import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.Speculation;
import io.vertx.core.Future;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What the router itself costs, over the synthetic backend (no model): every stream's verifier call
 * takes {@code paceMs} and returns 4 tokens (k = 3, every draft right), so a chunk is due every
 * {@code paceMs}. The latency the router adds is each chunk interval minus the pace; a stream keeps
 * its pace when its mean interval stays within 10 % of it.
 */
final class OverheadBench {

  private final StreamClient client;
  private final PrintStream out;
  private final double paceMs;

  OverheadBench(StreamClient client, PrintStream out, double paceMs) {
    this.client = client;
    this.out = out;
    this.paceMs = paceMs;
  }

  /** One load level's result. */
  record Level(
      int streams,
      int completed,
      double addedP50,
      double addedP99,
      double worstStreamPace,
      double chunksPerSecond) {
    boolean keepsPace(double paceMs) {
      return completed == streams && worstStreamPace <= 1.1 * paceMs;
    }
  }

  /** Median chunk interval of one lone stream: the pace as the backend actually delivers it. */
  private double baselineMs = Double.NaN;

  Level run(int streams, int stepsPerStream) {
    GenerateRequest request =
        GenerateRequest.newBuilder()
            .setPrompt("bench")
            .setMaxTokens(4 * stepsPerStream)
            .setReturnTokenIds(true)
            .setSpeculation(
                Speculation.newBuilder()
                    .setMode(Speculation.Mode.MODE_FIXED)
                    .setK(3)
                    .setDrafter("model"))
            .build();
    List<Future<StreamTrace>> futures = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < streams; i++) {
      futures.add(client.generate(request));
    }
    List<StreamTrace> traces = new ArrayList<>();
    for (Future<StreamTrace> f : futures) {
      try {
        traces.add(f.toCompletionStage().toCompletableFuture().join());
      } catch (RuntimeException e) {
        // counted as not completed
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    List<Double> added = new ArrayList<>();
    double worst = 0;
    long chunks = 0;
    for (StreamTrace t : traces) {
      List<Long> at = t.chunkNanos();
      chunks += at.size();
      for (int i = 1; i < at.size(); i++) {
        added.add(
            (at.get(i) - at.get(i - 1)) / 1e6 - (Double.isNaN(baselineMs) ? paceMs : baselineMs));
      }
      if (at.size() > 1) {
        worst = Math.max(worst, (at.get(at.size() - 1) - at.get(0)) / 1e6 / (at.size() - 1));
      }
    }
    Percentiles p = new Percentiles(added);
    return new Level(streams, traces.size(), p.at(50), p.at(99), worst, chunks / seconds);
  }

  /** The 500-stream latency figure, then the largest stream count that keeps pace. */
  void report(List<Integer> levels, int stepsPerStream) {
    out.println();
    out.printf(
        "#### Router overhead (synthetic backend: one 4-token step every %.0f ms per stream)%n%n",
        paceMs);
    run(Math.min(100, levels.get(0)), 10); // warm-up: JIT, connections
    baselineMs = paceMs + run(1, stepsPerStream).addedP50();
    out.printf(
        "Baseline: a lone stream's median chunk interval is %.2f ms (the pace plus the 1 ms timer tick); added latency is measured against it.%n%n",
        baselineMs);
    out.println(
        "| streams | completed | added latency per chunk p50 / p99 ms | slowest stream's mean chunk interval ms | chunks/s | keeps pace (≤ +10 %) |");
    out.println("|---:|---:|---:|---:|---:|---|");
    for (int streams : levels) {
      Level l = run(streams, stepsPerStream);
      out.printf(
          "| %d | %d | %.2f / %.2f | %.1f | %.0f | %s |%n",
          l.streams(),
          l.completed(),
          l.addedP50(),
          l.addedP99(),
          l.worstStreamPace(),
          l.chunksPerSecond(),
          l.keepsPace(baselineMs) ? "yes" : "no");
      out.flush();
    }
  }
}
