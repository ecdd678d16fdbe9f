package dev.tandem.bench.router;

import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.Speculation;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Speculative vs. plain decoding on the same router and models, one request at a time (batch 1):
 * for each workload and drafter, throughput, tokens per verifier call, TTFT and inter-token
 * latency, and the speedup over plain decoding measured in the same run. The variants take turns
 * request by request.
 */
public final class SpeculationBench {

  /**
   * One configuration of the comparison.
   *
   * @param fixedK the request's fixed k; 0 = adaptive, below 0 = speculation off with this drafter
   */
  public record Variant(String label, String drafter, int fixedK) {
    GenerateRequest apply(GenerateRequest request) {
      Speculation.Builder s = Speculation.newBuilder().setDrafter(drafter);
      if (drafter.equals("none") || fixedK < 0) {
        s.setMode(Speculation.Mode.MODE_OFF);
      } else if (fixedK > 0) {
        s.setMode(Speculation.Mode.MODE_FIXED).setK(fixedK);
      }
      return request.toBuilder().setSpeculation(s).build();
    }
  }

  /** Plain decoding: no drafter, k = 0. */
  public static final Variant PLAIN = new Variant("plain (k=0)", "none", 0);

  public static final List<Variant> VARIANTS =
      List.of(
          PLAIN,
          new Variant("model, adaptive k", "model", 0),
          new Variant("model, k=4", "model", 4),
          new Variant("model, k=8", "model", 8),
          new Variant("ngram, adaptive k", "ngram", 0));

  private final StreamClient client;
  private final PrintStream out;

  SpeculationBench(StreamClient client, PrintStream out) {
    this.client = client;
    this.out = out;
  }

  /** Runs every variant on every workload; prints a markdown table. */
  void run(String setting, List<Workload> workloads) {
    out.println();
    out.println("#### " + setting);
    out.println();
    out.println(
        "| workload | variant | tokens/s | speedup | tokens/verifier call | accepted/drafted | TTFT p50 / p99 ms | ITL p50 / p99 ms | TPOT ms |");
    out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (Workload w : workloads) {
      Map<Variant, Summary> results = measure(w, VARIANTS);
      double plain = results.get(VARIANTS.get(0)).tokensPerSecond();
      for (Map.Entry<Variant, Summary> e : results.entrySet()) {
        Summary s = e.getValue();
        out.printf(
            "| %s | %s | %.1f | %.2fx | %.2f | %d/%d | %.1f / %.1f | %.1f / %.1f | %.2f |%n",
            w.name(),
            e.getKey().label(),
            s.tokensPerSecond(),
            s.tokensPerSecond() / plain,
            s.tokensPerCall(),
            s.accepted(),
            s.drafted(),
            s.ttft().at(50),
            s.ttft().at(99),
            s.itl().at(50),
            s.itl().at(99),
            s.tpot().mean());
        out.flush();
      }
    }
  }

  /**
   * Runs every variant on one workload, taking turns request by request after a warm-up of each.
   * The first variant should be plain decoding (the baseline of speedups).
   */
  public Map<Variant, Summary> measure(Workload w, List<Variant> variants) {
    // Warm-up: every variant's code path (JIT, caches) before anything is measured.
    for (Variant v : variants) {
      client.sequential(
          w.requests().subList(0, Math.min(2, w.requests().size())).stream()
              .map(v::apply)
              .toList());
    }
    // Variants take turns request by request, so drift (JIT, GC, other load) spreads evenly.
    Map<Variant, List<StreamTrace>> traces = new LinkedHashMap<>();
    for (GenerateRequest request : w.requests()) {
      for (Variant v : variants) {
        traces
            .computeIfAbsent(v, x -> new ArrayList<>())
            .addAll(client.sequential(List.of(v.apply(request))));
      }
    }
    Map<Variant, Summary> results = new LinkedHashMap<>();
    traces.forEach((v, t) -> results.put(v, Summary.of(t)));
    return results;
  }

  /** Aggregates of a run of traces. */
  public record Summary(
      double tokensPerSecond,
      double tokensPerCall,
      int accepted,
      int drafted,
      Percentiles ttft,
      Percentiles itl,
      Percentiles tpot,
      long tokens,
      double costUsd) {

    /** What the router billed per 1,000 completion tokens (verifier and drafting). */
    public double costPer1kTokens() {
      return tokens == 0 ? Double.NaN : costUsd / tokens * 1000;
    }

    static Summary of(List<StreamTrace> traces) {
      long tokens = 0;
      long calls = 0;
      int accepted = 0;
      int drafted = 0;
      double seconds = 0;
      double cost = 0;
      List<Double> ttft = new ArrayList<>();
      List<Double> itl = new ArrayList<>();
      List<Double> tpot = new ArrayList<>();
      for (StreamTrace t : traces) {
        tokens += t.tokens();
        calls += t.summary().getSpeculation().getVerifierCalls();
        accepted += t.summary().getSpeculation().getAcceptedTokens();
        drafted += t.summary().getSpeculation().getDraftTokens();
        seconds += t.seconds();
        cost += t.summary().getCostUsd();
        ttft.add(t.ttftMillis());
        tpot.add(t.tpotMillis());
        // Inter-token latency as streaming clients see it: the gap between successive chunks
        // (a chunk carries all tokens one speculation step accepted).
        long[] at = t.chunkNanos();
        for (int i = 1; i < at.length; i++) {
          itl.add((at[i] - at[i - 1]) / 1e6);
        }
      }
      return new Summary(
          tokens / seconds,
          calls == 0 ? 0 : (double) tokens / calls,
          accepted,
          drafted,
          new Percentiles(ttft),
          new Percentiles(itl),
          new Percentiles(tpot),
          tokens,
          cost);
    }
  }
}
