package dev.tandem.bench.router;

import dev.tandem.proto.v1.GenerateRequest;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The draft-length policy at rising load: for each number of concurrent streams, closed-loop
 * clients run the mixed workload with plain decoding, fixed k and adaptive k (model drafter), the
 * variants taking turns in rounds so that drift on a shared machine hits each alike. Per variant
 * and level: tokens/s, how far single rounds spread against plain's, TPOT p50 / p99, goodput
 * (requests with TPOT within the SLO), and adaptive k against the best fixed k and against plain
 * decoding.
 *
 * <p>Threading: {@link #run} blocks its caller; the requests run on the client's event loops.
 */
final class PolicySweep {

  static final SpeculationBench.Variant ADAPTIVE =
      new SpeculationBench.Variant("adaptive", "model", 0);

  /**
   * The variants by the names {@code --variants} takes, in the order they run. "model-off" is a
   * diagnostic: the model drafter's session is opened but speculation is off (k = 0), so its figure
   * against plain is the cost of having a draft session at all.
   */
  static final Map<String, SpeculationBench.Variant> BY_NAME;

  static {
    Map<String, SpeculationBench.Variant> byName = new LinkedHashMap<>();
    byName.put("plain", SpeculationBench.PLAIN);
    byName.put("model-off", new SpeculationBench.Variant("model, off", "model", -1));
    for (int k : new int[] {1, 2, 4, 8}) {
      byName.put("k=" + k, new SpeculationBench.Variant("k=" + k, "model", k));
    }
    byName.put("adaptive", ADAPTIVE);
    BY_NAME = Collections.unmodifiableMap(byName);
  }

  /** What runs unless {@code --variants} says otherwise: all but the diagnostic. */
  static final List<String> DEFAULT_VARIANTS =
      List.of("plain", "k=1", "k=2", "k=4", "k=8", "adaptive");

  private final StreamClient client;
  private final PrintStream out;
  private final double sloTpotMillis;
  private final List<SpeculationBench.Variant> variants;

  /**
   * @param variants names from {@link #BY_NAME}; plain and adaptive must be among them (the
   *     verdicts compare against them)
   */
  PolicySweep(StreamClient client, PrintStream out, double sloTpotMillis, List<String> variants) {
    this.client = client;
    this.out = out;
    this.sloTpotMillis = sloTpotMillis;
    this.variants =
        BY_NAME.entrySet().stream()
            .filter(e -> variants.contains(e.getKey()))
            .map(Map.Entry::getValue)
            .toList();
  }

  /** Totals of one variant at one level. */
  private static final class Totals {
    long tokens;
    double seconds;
    int requests;
    int good;
    int errors;
    long drafts; // draft tokens proposed
    long steps; // verifier calls after the prefill
    final List<Double> tpot = new ArrayList<>();
    final List<Double> roundRates = new ArrayList<>(); // tokens/s of each round, in order
  }

  /**
   * The lowest and highest of a variant's per-round rate over plain's in the same round: how far
   * single rounds of the level spread (the two share the machine's state of the moment).
   */
  private static String roundsRange(Totals variant, Totals plain) {
    double low = Double.POSITIVE_INFINITY;
    double high = Double.NEGATIVE_INFINITY;
    for (int r = 0; r < variant.roundRates.size(); r++) {
      double ratio = variant.roundRates.get(r) / plain.roundRates.get(r);
      low = Math.min(low, ratio);
      high = Math.max(high, ratio);
    }
    return String.format(Locale.ROOT, "%.2f–%.2f×", low, high);
  }

  /** Requests per variant and round at least, whatever the level. */
  static final int MIN_REQUESTS = 48;

  /**
   * @param requestsPerStream requests each stream runs per variant and round (at least {@value
   *     #MIN_REQUESTS} in all): with one request per stream a level was over in well under a second
   *     in-process and its figure was the slowest request's (A/A spread ±15 %); with 16 in all the
   *     one-stream level still read 0.81–0.91× plain for adaptive where 48 per stream read
   *     1.00–1.05× (BENCHMARKS.md)
   */
  void run(
      String profile,
      List<GenerateRequest> mixed,
      List<Integer> levels,
      int rounds,
      int requestsPerStream)
      throws InterruptedException {
    // Warm-up: every variant once at the lowest level (JIT, acceptance and step-cost estimates).
    for (SpeculationBench.Variant v : variants) {
      measure(mixed, v, 1, Math.min(8, mixed.size()), new Totals());
    }
    out.println();
    out.println("#### Draft-length policy at rising load: " + profile);
    out.println();
    out.println(
        "| streams | variant | tokens/s | × plain | × plain, rounds' range | TPOT p50 / p99 ms |"
            + " goodput (TPOT ≤ "
            + (int) sloTpotMillis
            + " ms) | mean k | tokens per step | errors |");
    out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    List<String> verdicts = new ArrayList<>();
    for (int streams : levels) {
      Map<SpeculationBench.Variant, Totals> totals = new LinkedHashMap<>();
      variants.forEach(v -> totals.put(v, new Totals()));
      int perRound = Math.max(streams * requestsPerStream, MIN_REQUESTS);
      for (int round = 0; round < rounds; round++) {
        for (SpeculationBench.Variant v : variants) {
          measure(mixed, v, streams, perRound, totals.get(v));
        }
      }
      Totals plainTotals = totals.get(SpeculationBench.PLAIN);
      double plain = rate(plainTotals);
      double bestFixed = 0;
      String bestName = "";
      for (var e : totals.entrySet()) {
        Totals t = e.getValue();
        double rate = rate(t);
        Percentiles tpot = new Percentiles(t.tpot);
        out.printf(
            Locale.ROOT,
            "| %d | %s | %.1f | %.2f× | %s | %.2f / %.2f | %.0f %% | %.2f | %.2f | %d |%n",
            streams,
            e.getKey().label(),
            rate,
            rate / plain,
            roundsRange(t, plainTotals),
            tpot.at(50),
            tpot.at(99),
            100.0 * t.good / Math.max(1, t.requests),
            (double) t.drafts / Math.max(1, t.steps),
            (double) t.tokens / Math.max(1, t.steps),
            t.errors);
        if (e.getKey().fixedK() > 0 && rate > bestFixed) {
          bestFixed = rate;
          bestName = e.getKey().label();
        }
      }
      out.flush();
      double adaptive = rate(totals.get(ADAPTIVE));
      boolean anyFixed = bestFixed > 0;
      verdicts.add(
          String.format(
              Locale.ROOT,
              "| %d | %s | %.2f× | %s |",
              streams,
              anyFixed
                  ? String.format(
                      Locale.ROOT, "%.2f× (best fixed: %s)", adaptive / bestFixed, bestName)
                  : "no fixed k run",
              adaptive / plain,
              (!anyFixed || adaptive / bestFixed >= 0.97) && adaptive / plain >= 0.98
                  ? "met"
                  : "**not met**"));
    }
    out.println();
    out.println(
        "| streams | adaptive ÷ best fixed k | adaptive ÷ plain | goal (≥ 0.97×, ≥ 0.98×) |");
    out.println("|---:|---:|---:|---|");
    verdicts.forEach(out::println);
    out.flush();
  }

  private static double rate(Totals t) {
    return t.seconds == 0 ? Double.NaN : t.tokens / t.seconds;
  }

  private void measure(
      List<GenerateRequest> mixed,
      SpeculationBench.Variant variant,
      int streams,
      int total,
      Totals into)
      throws InterruptedException {
    List<StreamTrace> traces = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(streams);
    long start = System.nanoTime();
    for (int i = 0; i < streams; i++) {
      client.chain(
          n -> variant.apply(mixed.get(n % mixed.size())), total, next, traces, errors, done);
    }
    if (!done.await(30, TimeUnit.MINUTES)) {
      throw new IllegalStateException("level " + streams + " did not finish in 30 min");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    into.seconds += seconds;
    into.errors += errors.get();
    into.requests += traces.size() + errors.get();
    long tokens = 0;
    for (StreamTrace t : traces) {
      tokens += t.tokens();
      into.drafts += t.summary().getSpeculation().getDraftTokens();
      into.steps += Math.max(0, t.summary().getSpeculation().getVerifierCalls() - 1);
      into.tpot.add(t.tpotMillis());
      if (!Double.isNaN(t.tpotMillis()) && t.tpotMillis() <= sloTpotMillis) {
        into.good++;
      }
    }
    into.tokens += tokens;
    into.roundRates.add(tokens / seconds);
  }
}
