package dev.tandem.router.accounting;

import java.util.ArrayList;
import java.util.List;

/**
 * A tenant's committed spend crossed a fraction of one of its budgets.
 *
 * @param tenantId whose budget
 * @param budget {@code daily} or {@code monthly}
 * @param period the day or month
 * @param threshold the fraction crossed, in (0, 1]
 * @param spentNanos committed spend after the crossing charge
 * @param limitNanos the budget
 */
public record BudgetAlert(
    String tenantId,
    String budget,
    String period,
    double threshold,
    long spentNanos,
    long limitNanos) {

  /**
   * The thresholds one settlement crossed: {@code before < threshold·limit <= after}. Settlements
   * of one tenant are serialised by the store, so each crossing is reported by exactly one.
   */
  public static List<BudgetAlert> crossed(Settlement s, TenantLimits limits) {
    List<BudgetAlert> alerts = new ArrayList<>();
    add(
        alerts,
        s,
        "daily",
        s.day(),
        limits.dailyBudgetNanos(),
        limits,
        s.dayBeforeNanos(),
        s.dayAfterNanos());
    add(
        alerts,
        s,
        "monthly",
        s.month(),
        limits.monthlyBudgetNanos(),
        limits,
        s.monthBeforeNanos(),
        s.monthAfterNanos());
    return alerts;
  }

  private static void add(
      List<BudgetAlert> alerts,
      Settlement s,
      String budget,
      String period,
      long limit,
      TenantLimits limits,
      long before,
      long after) {
    if (limit == 0) {
      return;
    }
    for (double t : limits.alertThresholds()) {
      double mark = t * limit;
      if (before < mark && after >= mark) {
        alerts.add(new BudgetAlert(s.tenantId(), budget, period, t, after, limit));
      }
    }
  }

  @Override
  public String toString() {
    return String.format(
        "tenant %s crossed %.0f%% of its %s budget for %s: %.6f of %.6f USD",
        tenantId, threshold * 100, budget, period, Money.usd(spentNanos), Money.usd(limitNanos));
  }
}
