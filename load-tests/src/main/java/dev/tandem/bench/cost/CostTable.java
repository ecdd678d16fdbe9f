package dev.tandem.bench.cost;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Sums per variant across the workload, printed as verifier USD per 1k output tokens. */
final class CostTable {

  private static final class Sums {
    double verifierCost;
    double draftCost;
    double quality;
    long outputTokens;
    long calls;
    int requests;
    int overBudget;
    int budgetStops;
    double worstBudgetUse;
  }

  private final Map<String, Sums> rows = new LinkedHashMap<>();

  /**
   * @param budget the request's cost budget, 0 = none
   */
  void add(String variant, String pricing, Decoding.Run run, double quality, double budget) {
    Sums s = rows.computeIfAbsent(variant + " | " + pricing, k -> new Sums());
    s.verifierCost += run.verifierCost();
    s.draftCost += run.draftCost();
    s.quality += quality;
    s.outputTokens += run.tokens().length;
    s.calls += run.loop().verifierCalls() + 1;
    s.requests++;
    if (budget > 0) {
      double spent = run.verifierCost() + run.draftCost();
      s.overBudget += spent > budget * (1 + 1e-12) ? 1 : 0;
      s.budgetStops += run.loop().reason() == dev.tandem.speccore.FinishReason.BUDGET ? 1 : 0;
      s.worstBudgetUse = Math.max(s.worstBudgetUse, spent / budget);
    }
  }

  void print(PrintStream out) {
    out.printf(
        "%-48s %-9s %14s %12s %8s %12s %9s%n",
        "variant", "pricing", "verifier $/1k", "vs plain", "draft $/1k", "quality", "tok/call");
    Map<String, Double> plain = new LinkedHashMap<>();
    for (Map.Entry<String, Sums> e : rows.entrySet()) {
      String[] key = e.getKey().split(" \\| ");
      Sums s = e.getValue();
      double perK = 1000 * s.verifierCost / s.outputTokens;
      plain.putIfAbsent(key[1], perK);
      out.printf(
          Locale.ROOT,
          "%-48s %-9s %14.6f %11.1f%% %10.6f %12.4f %9.2f%s%n",
          key[0],
          key[1],
          perK,
          100 * (perK / plain.get(key[1]) - 1),
          1000 * s.draftCost / s.outputTokens,
          s.quality / s.requests,
          (double) s.outputTokens / s.calls,
          s.worstBudgetUse > 0
              ? String.format(
                  Locale.ROOT,
                  "  (over budget: %d of %d; stopped by BUDGET: %d; max spend/budget %.3f)",
                  s.overBudget,
                  s.requests,
                  s.budgetStops,
                  s.worstBudgetUse)
              : "");
    }
  }
}
