package dev.tandem.bench.router;

import dev.tandem.bench.model.ModelBench;
import dev.tandem.bench.report.Charts;
import dev.tandem.bench.report.Provenance;
import dev.tandem.bench.report.ReportDocument;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.router.config.TandemConfig.NetTransport;
import dev.tandem.router.synthetic.SyntheticRouter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./tandem bench report}: every headline figure in one go on the fixtures, written into
 * BENCHMARKS.md (tables with machine, date and commit) with charts as PNG images beside it, and
 * each figure stated against its goal. Sections: model runtime vs. PyTorch, speculative vs. plain
 * (in-process and remote profile, each drafter, fixed and adaptive k), verifier cost by mechanism,
 * routing quality vs. cost, latency and goodput at rising load, router overhead over the synthetic
 * backend.
 *
 * <p>Threading: runs on the caller's thread, which it blocks.
 */
public final class BenchReport {

  /** What to run; see {@code ./tandem bench report --help}. */
  public record Options(
      List<String> sections,
      List<String> workloads,
      int requests,
      long delayMs,
      List<Integer> loadLevels,
      int requestsPerLevel,
      List<Integer> streams,
      double sloTtftMillis,
      double sloTpotMillis) {}

  static final List<SpeculationBench.Variant> VARIANTS =
      List.of(
          new SpeculationBench.Variant("plain (k=0)", "none", 0),
          new SpeculationBench.Variant("model, adaptive k", "model", 0),
          new SpeculationBench.Variant("model, k=1", "model", 1),
          new SpeculationBench.Variant("model, k=2", "model", 2),
          new SpeculationBench.Variant("model, k=4", "model", 4),
          new SpeculationBench.Variant("model, k=8", "model", 8),
          new SpeculationBench.Variant("ngram, adaptive k", "ngram", 0),
          new SpeculationBench.Variant("ngram, k=4", "ngram", 4));

  private final Path home;
  private final BenchSuites suites;
  private final PrintStream progress;
  private final Provenance provenance;
  private final Charts charts;
  private final ReportDocument doc = new ReportDocument();
  private final List<String[]> goals = new ArrayList<>();
  private static final String CHART_DIR = "bench-charts";

  public BenchReport(Path home, BenchSuites suites, PrintStream progress) {
    this.home = home;
    this.suites = suites;
    this.progress = progress;
    this.provenance = Provenance.here(home);
    this.charts = new Charts(home.resolve(CHART_DIR));
  }

  /** Runs the chosen sections and writes BENCHMARKS.md's generated part. */
  public void run(Options o) throws Exception {
    doc.add(
        "## Report (`./tandem bench report`)\n\n"
            + "Generated in one run by `./tandem bench report` on the fixture models; every table"
            + " says where and when it was measured. The goals and whether they are met are at the"
            + " end. Sections run: "
            + o.sections()
            + ".");
    // Measured first, written last: after the model sections in the same JVM the router's p99 at
    // 500 streams read 2.97 ms where the section alone read 0.40 (2026-12-05, BENCHMARKS.md).
    Runnable overhead = o.sections().contains("overhead") ? overhead(o.streams()) : () -> {};
    if (o.sections().contains("runtime")) {
      runtime();
    }
    Map<String, Map<SpeculationBench.Variant, SpeculationBench.Summary>> remote = null;
    if (o.sections().contains("speculation")) {
      List<Workload> workloads = suites.load(o.workloads(), o.requests());
      var local = suites.inProcess(client -> speculation(client, workloads));
      section("in-process on this CPU (verifier and drafter share one model thread)", local);
      remote = suites.remoteProfile(o.delayMs(), client -> speculation(client, workloads));
      section(
          "remote-verifier profile: a TCP relay adds " + o.delayMs() + " ms round trip per call",
          remote);
      speedupChart(remote, o.delayMs());
      cost(remote);
    }
    if (o.sections().contains("routing")) {
      routing();
    }
    if (o.sections().contains("load")) {
      load(o);
    }
    overhead.run();
    goalTable();
    Path file = home.resolve("BENCHMARKS.md");
    doc.writeInto(file);
    progress.println("tandem bench report: wrote " + file + " and charts in " + CHART_DIR + "/");
  }

  private Map<String, Map<SpeculationBench.Variant, SpeculationBench.Summary>> speculation(
      StreamClient client, List<Workload> workloads) {
    Map<String, Map<SpeculationBench.Variant, SpeculationBench.Summary>> results =
        new LinkedHashMap<>();
    SpeculationBench bench = new SpeculationBench(client, progress);
    for (Workload w : workloads) {
      progress.println("tandem bench report: speculation on " + w.name() + " ...");
      results.put(w.name(), bench.measure(w, VARIANTS));
    }
    return results;
  }

  private void runtime() throws Exception {
    progress.println("tandem bench report: model runtime vs. PyTorch ...");
    StringBuilder t = new StringBuilder();
    t.append("### Model runtime vs. the PyTorch reference\n\n");
    t.append(
        "Greedy decode at batch 1, one thread each, tokens/s per CPU-second (1 / median step"
            + " over 3 × 64 steps; `tools/reference/bench_reference.py` for PyTorch).\n\n");
    t.append("| model | Java (vector backend) tok/s | PyTorch tok/s | Java ÷ PyTorch |\n");
    t.append("|---|---:|---:|---:|\n");
    double worst = Double.POSITIVE_INFINITY;
    try (ModelRuntime runtime = new ModelRuntime(1)) {
      for (String name : List.of("tandem-draft", "tandem-verifier")) {
        Path dir = home.resolve("fixtures/models/" + name);
        Model model = runtime.load(dir, ModelOptions.DEFAULT);
        double java;
        try {
          java =
              runtime
                  .submit(() -> ModelBench.decodeRate(model, 64))
                  .get(10, TimeUnit.MINUTES)
                  .cpu();
        } finally {
          model.close();
        }
        double torch = pytorch(dir);
        worst = Math.min(worst, java / torch);
        t.append(
            String.format(
                Locale.ROOT,
                "| %s | %.0f | %s | %s |%n",
                name,
                java,
                Double.isNaN(torch) ? "not run" : String.format(Locale.ROOT, "%.0f", torch),
                Double.isNaN(torch) ? "–" : String.format(Locale.ROOT, "%.1f×", java / torch)));
      }
    }
    t.append('\n').append(provenance.line());
    doc.add(t.toString());
    goal("runtime decode ≥ 1.5× PyTorch (CPU)", worst >= 1.5, fmt("%.1f× (worst model)", worst));
  }

  /** PyTorch decode tokens/s per CPU-second, or NaN when python3 with torch is not there. */
  private double pytorch(Path model) {
    try {
      Process p =
          new ProcessBuilder(
                  "/usr/bin/python3",
                  home.resolve("tools/reference/bench_reference.py").toString(),
                  model.toString(),
                  "--tokens",
                  "64",
                  "--threads",
                  "1")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        progress.println("tandem bench report: PyTorch reference failed: " + out.strip());
        return Double.NaN;
      }
      Matcher m = Pattern.compile("/cpu-s=([0-9.]+)").matcher(out);
      return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    } catch (IOException e) {
      progress.println("tandem bench report: no PyTorch reference: " + e.getMessage());
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }

  private void section(
      String setting, Map<String, Map<SpeculationBench.Variant, SpeculationBench.Summary>> r) {
    StringBuilder t = new StringBuilder();
    t.append("### Speculative vs. plain decoding: ").append(setting).append("\n\n");
    t.append(
        "| workload | variant | tokens/s | speedup | tokens/verifier call | TTFT p50 / p99 ms | ITL"
            + " p50 / p99 ms | TPOT ms |\n");
    t.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
    r.forEach(
        (workload, variants) -> {
          double plain = variants.get(VARIANTS.get(0)).tokensPerSecond();
          variants.forEach(
              (v, s) ->
                  t.append(
                      String.format(
                          Locale.ROOT,
                          "| %s | %s | %.1f | %.2f× | %.2f | %.1f / %.1f | %.1f / %.1f | %.2f |%n",
                          workload,
                          v.label(),
                          s.tokensPerSecond(),
                          s.tokensPerSecond() / plain,
                          s.tokensPerCall(),
                          s.ttft().at(50),
                          s.ttft().at(99),
                          s.itl().at(50),
                          s.itl().at(99),
                          s.tpot().mean())));
        });
    t.append('\n').append(provenance.line());
    doc.add(t.toString());
    if (setting.startsWith("remote")) {
      remoteGoals(r);
    }
  }

  private void remoteGoals(Map<String, Map<SpeculationBench.Variant, SpeculationBench.Summary>> r) {
    var code = r.get("code");
    if (code != null) {
      double tpc = code.get(VARIANTS.get(5)).tokensPerCall();
      goal("≥ 3 tokens per verifier call on code (model drafter, k=8)", tpc >= 3, fmt("%.2f", tpc));
    }
    double worstAdaptive = Double.POSITIVE_INFINITY;
    for (var variants : r.values()) {
      double plain = variants.get(VARIANTS.get(0)).tokensPerSecond();
      worstAdaptive =
          Math.min(worstAdaptive, variants.get(VARIANTS.get(1)).tokensPerSecond() / plain);
    }
    goal(
        "≥ 2× speedup with the remote profile (model drafter, adaptive k, every workload)",
        worstAdaptive >= 2,
        fmt("%.2f× on the weakest workload", worstAdaptive));
  }

  private void speedupChart(
      Map<String, Map<SpeculationBench.Variant, SpeculationBench.Summary>> remote, long delayMs) {
    Map<String, double[][]> series = new LinkedHashMap<>();
    int[] ks = {0, 1, 2, 4, 8};
    remote.forEach(
        (workload, variants) -> {
          double plain = variants.get(VARIANTS.get(0)).tokensPerSecond();
          double[] x = new double[ks.length];
          double[] y = new double[ks.length];
          for (int i = 0; i < ks.length; i++) {
            x[i] = ks[i];
            y[i] = ks[i] == 0 ? 1 : variants.get(VARIANTS.get(2 + i - 1)).tokensPerSecond() / plain;
          }
          series.put(workload, new double[][] {x, y});
        });
    String file =
        charts.lines(
            "speedup-vs-k.png",
            "Speedup over plain decoding vs. draft length k (remote profile, "
                + delayMs
                + " ms per call)",
            "k (model drafter, fixed)",
            "speedup ×",
            series);
    doc.add("![speedup vs k](" + CHART_DIR + "/" + file + ")");
  }

  private void cost(Map<String, Map<SpeculationBench.Variant, SpeculationBench.Summary>> r) {
    StringBuilder t = new StringBuilder();
    t.append("### Verifier cost per 1k tokens by mechanism (remote profile)\n\n");
    t.append(
        "Always-largest = every token decoded by the large tier without speculation. Verifier"
            + " calls per 1k tokens is the cost of a self-hosted verifier billed per call;"
            + " billed $ is what the router charged with the tier's configured price (draft compute"
            + " included). Routing and the cache are not in these rows: the bench router has one"
            + " tier and no response cache (routing's own trade-off is in the routing section).\n\n");
    t.append(
        "| workload | mechanism | verifier calls / 1k tokens | vs always-largest | billed $ / 1k"
            + " tokens |\n");
    t.append("|---|---|---:|---:|---:|\n");
    List<String> categories = new ArrayList<>();
    List<Double> plainCalls = new ArrayList<>();
    List<Double> specCalls = new ArrayList<>();
    double worstSaving = Double.POSITIVE_INFINITY;
    for (var e : r.entrySet()) {
      var plain = e.getValue().get(VARIANTS.get(0));
      var spec = e.getValue().get(VARIANTS.get(1));
      double plainPer1k = 1000 / plain.tokensPerCall();
      double specPer1k = 1000 / spec.tokensPerCall();
      double saving = 1 - specPer1k / plainPer1k;
      worstSaving = Math.min(worstSaving, saving);
      categories.add(e.getKey());
      plainCalls.add(plainPer1k);
      specCalls.add(specPer1k);
      t.append(
          fmt(
              "| %s | always-largest (plain) | %.0f | 100%% | %.5f |%n",
              e.getKey(), plainPer1k, plain.costPer1kTokens()));
      t.append(
          fmt(
              "| %s | speculation (model drafter, adaptive k) | %.0f | %.0f%% | %.5f |%n",
              e.getKey(), specPer1k, 100 * specPer1k / plainPer1k, spec.costPer1kTokens()));
      t.append(
          fmt(
              "| %s | routing | not measured here (the routing section below) | – | – |%n",
              e.getKey()));
      t.append(
          fmt(
              "| %s | cache | not measured here (no repeated prompts; `./tandem bench cache`) | – | – |%n",
              e.getKey()));
      t.append(
          fmt(
              "| %s | combined (= speculation here) | %.0f | %.0f%% | %.5f |%n",
              e.getKey(), specPer1k, 100 * specPer1k / plainPer1k, spec.costPer1kTokens()));
    }
    t.append('\n').append(provenance.line());
    doc.add(t.toString());
    Map<String, List<Double>> series = new LinkedHashMap<>();
    series.put("always-largest (plain)", plainCalls);
    series.put("speculation = combined", specCalls);
    String file =
        charts.bars(
            "cost-by-mechanism.png",
            "Verifier calls per 1k tokens by mechanism (routing, cache: not measured)",
            "workload",
            "verifier calls / 1k tokens",
            categories,
            series);
    doc.add("![cost by mechanism](" + CHART_DIR + "/" + file + ")");
    goal(
        "≥ 60 % lower verifier cost on the exact path (per-call pricing, all mechanisms)",
        worstSaving >= 0.6,
        fmt("%.0f %% lower with speculation alone (weakest workload)", 100 * worstSaving));
  }

  /** Quality vs. cost for routing between the small and the large tier (issue 12's evaluation). */
  private void routing() throws IOException {
    progress.println("tandem bench report: routing quality vs. cost ...");
    Map<String, double[][]> curves = dev.tandem.bench.cost.RoutingEvaluation.curvesForReport(home);
    StringBuilder t = new StringBuilder();
    t.append("### Routing: quality vs. cost (small vs. large tier)\n\n");
    t.append(
        "Each prompt of the routing set's test split (fixtures/routing: 288 prompts from text the"
            + " fixture models never saw) served by the small (draft) or the large (verifier)"
            + " tier; quality = share of the small→large gap in mean log-likelihood of the true"
            + " continuation that is recovered, cost = fraction of always-large; the estimator is"
            + " the shipped one, fitted on the training split"
            + " (`dev.tandem.bench.cost.RoutingEvaluation` for the method).\n\n");
    t.append("| router | quality recovered at ≤ 50 % cost | at ≤ 35 % cost |\n|---|---:|---:|\n");
    curves.forEach(
        (name, xy) ->
            t.append(
                fmt(
                    "| %s | %.0f %% | %.0f %% |%n",
                    name, 100 * bestAt(xy, 0.5), 100 * bestAt(xy, 0.35))));
    t.append('\n').append(provenance.line());
    doc.add(t.toString());
    String file =
        charts.lines(
            "routing-quality-vs-cost.png",
            "Routing: quality recovered vs. cost (fraction of always-large)",
            "cost / always-large",
            "share of the quality gap recovered",
            curves);
    doc.add("![routing quality vs cost](" + CHART_DIR + "/" + file + ")");
  }

  private static double bestAt(double[][] xy, double costFraction) {
    double best = 0;
    for (int i = 0; i < xy[0].length; i++) {
      if (xy[0][i] <= costFraction + 1e-12) {
        best = Math.max(best, xy[1][i]);
      }
    }
    return best;
  }

  private void load(Options o) throws Exception {
    progress.println("tandem bench report: latency at rising load ...");
    List<GenerateRequest> mix = new ArrayList<>();
    List<Workload> workloads = suites.load(o.workloads(), o.requests());
    for (int i = 0; i < o.requests(); i++) {
      for (Workload w : workloads) {
        if (i < w.requests().size()) {
          mix.add(w.requests().get(i));
        }
      }
    }
    List<LoadSweep.Level> levels =
        suites.inProcess(
            client -> {
              try {
                return new LoadSweep(client, o.sloTtftMillis(), o.sloTpotMillis())
                    .run(mix, o.loadLevels(), o.requestsPerLevel());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
              }
            });
    StringBuilder t = new StringBuilder();
    t.append("### TTFT, ITL, TPOT and goodput at rising load (in-process router)\n\n");
    t.append(
        fmt(
            "Closed-loop clients over the mixed workload, %d requests per level, default drafter"
                + " and adaptive k. Goodput = requests with TTFT ≤ %.0f ms and TPOT ≤ %.0f ms.%n%n",
            o.requestsPerLevel(), o.sloTtftMillis(), o.sloTpotMillis()));
    t.append(
        "| concurrent clients | tokens/s | TTFT p50 / p99 ms | ITL p50 / p99 ms | TPOT p50 / p99 ms"
            + " | errors | goodput |\n");
    t.append("|---:|---:|---:|---:|---:|---:|---:|\n");
    double[] x = new double[levels.size()];
    double[][] y = new double[4][levels.size()];
    for (int i = 0; i < levels.size(); i++) {
      LoadSweep.Level l = levels.get(i);
      t.append(
          fmt(
              "| %d | %.0f | %.1f / %.1f | %.1f / %.1f | %.2f / %.2f | %d | %.0f %% |%n",
              l.concurrency(),
              l.tokensPerSecond(),
              l.ttft().at(50),
              l.ttft().at(99),
              l.itl().at(50),
              l.itl().at(99),
              l.tpot().at(50),
              l.tpot().at(99),
              l.errors(),
              100 * l.goodputShare()));
      x[i] = l.concurrency();
      y[0][i] = l.ttft().at(50);
      y[1][i] = l.ttft().at(99);
      y[2][i] = l.itl().at(99);
      y[3][i] = l.tpot().at(50);
    }
    t.append('\n').append(provenance.line());
    doc.add(t.toString());
    Map<String, double[][]> series = new LinkedHashMap<>();
    series.put("TTFT p50", new double[][] {x, y[0]});
    series.put("TTFT p99", new double[][] {x, y[1]});
    series.put("ITL p99", new double[][] {x, y[2]});
    series.put("TPOT p50", new double[][] {x, y[3]});
    String file =
        charts.lines(
            "latency-vs-load.png",
            "Latency vs. load (in-process router, fixture models)",
            "concurrent clients",
            "ms",
            series);
    doc.add("![latency vs load](" + CHART_DIR + "/" + file + ")");
  }

  /**
   * Steps per stream in the overhead section: 10-s levels hold about ten young collections at 500
   * streams, so p99 is the steady figure; a 2-s level holds none or one, and its p99 said whether a
   * pause happened to fall in it (BENCHMARKS.md, "Twenty-second levels").
   */
  private static final int OVERHEAD_STEPS = 500;

  /** The synthetic backend's pace in the overhead section: one step per stream every 20 ms. */
  private static final int OVERHEAD_PACE_MS = 20;

  /** Measures the router overhead section; returns what writes it (its table and goals). */
  private Runnable overhead(List<Integer> streams) {
    progress.println("tandem bench report: router overhead ...");
    OverheadBench.Result r =
        suites.overheadLevels(
            streams,
            OVERHEAD_STEPS,
            OVERHEAD_PACE_MS,
            BenchSuites.ClientPlacement.PROCESS,
            SyntheticRouter.Pacing.TICKS,
            NetTransport.AUTO);
    StringBuilder t = new StringBuilder();
    t.append("### Router overhead over the synthetic backend\n\n");
    t.append(
        "One 4-token step every "
            + OVERHEAD_PACE_MS
            + " ms per stream, "
            + OVERHEAD_STEPS
            + " steps a stream (a "
            + OVERHEAD_STEPS * OVERHEAD_PACE_MS / 1000
            + "-s level); added latency per chunk = chunk arrival at the client (in its own JVM) −"
            + " the backend's release of the verdict (see the section above for the method).\n\n");
    t.append(
        "| streams | completed | added latency p50 / p99 / p99.9 ms | keeps pace | CPU µs per"
            + " chunk |\n");
    t.append("|---:|---:|---:|---|---:|\n");
    double p99At500 = Double.NaN;
    int maxKeptPace = 0;
    for (OverheadBench.Level l : r.levels()) {
      boolean pace = l.keepsPace(r.lone().worstStreamInterval());
      if (pace) {
        maxKeptPace = Math.max(maxKeptPace, l.streams());
      }
      if (l.streams() == 500) {
        p99At500 = l.added().at(99);
      }
      t.append(
          fmt(
              "| %d | %d | %.2f / %.2f / %.2f | %s | %.1f |%n",
              l.streams(),
              l.completed(),
              l.added().at(50),
              l.added().at(99),
              l.added().at(99.9),
              pace ? "yes" : "no",
              l.spent().cpuNanos() / 1e3 / l.chunks()));
    }
    t.append('\n').append(provenance.line());
    double p99 = p99At500;
    int kept = maxKeptPace;
    return () -> {
      doc.add(t.toString());
      if (!Double.isNaN(p99)) {
        goal("router overhead p99 < 1 ms at 500 streams", p99 < 1, fmt("p99 %.2f ms", p99));
      }
      goal(
          "≥ 2,000 streams on 2 cores (held at pace)",
          kept >= 2000,
          kept == 0 ? "no level kept pace" : "up to " + kept + " streams");
    };
  }

  private void goal(String what, boolean met, String measured) {
    goals.add(new String[] {what, measured, met ? "met" : "**not met**"});
  }

  private void goalTable() {
    StringBuilder t =
        new StringBuilder("### Goals\n\n| goal | measured | verdict |\n|---|---|---|\n");
    for (String[] g : goals) {
      t.append("| ").append(String.join(" | ", g)).append(" |\n");
    }
    doc.add(t.toString());
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
