package dev.tandem.router.accounting;

import java.util.List;

/**
 * What one tenant may use; 0 means "no limit" for each.
 *
 * @param requestsPerMinute requests started per calendar minute
 * @param tokensPerMinute prompt + output tokens per calendar minute (max_tokens reserved up front)
 * @param concurrentStreams generations in flight at once
 * @param dailyBudgetNanos spend per UTC day, in nano-USD ({@link Money})
 * @param monthlyBudgetNanos spend per UTC month, in nano-USD
 * @param alertThresholds fractions of the daily and monthly budgets (e.g. 0.5, 0.8, 1.0) whose
 *     crossing is reported once, ascending, each in (0, 1]
 */
public record TenantLimits(
    int requestsPerMinute,
    long tokensPerMinute,
    int concurrentStreams,
    long dailyBudgetNanos,
    long monthlyBudgetNanos,
    List<Double> alertThresholds) {

  /** No limit at all. */
  public static final TenantLimits UNLIMITED = new TenantLimits(0, 0, 0, 0, 0, List.of());

  public TenantLimits {
    requireNonNegative("requests_per_minute", requestsPerMinute);
    requireNonNegative("tokens_per_minute", tokensPerMinute);
    requireNonNegative("concurrent_streams", concurrentStreams);
    requireNonNegative("daily_budget_usd", dailyBudgetNanos);
    requireNonNegative("monthly_budget_usd", monthlyBudgetNanos);
    alertThresholds = List.copyOf(alertThresholds);
    double previous = 0;
    for (double t : alertThresholds) {
      if (!(t > previous && t <= 1)) {
        throw new IllegalArgumentException(
            "alert_thresholds must ascend within (0, 1], got " + alertThresholds);
      }
      previous = t;
    }
  }

  private static void requireNonNegative(String field, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must be >= 0 (0 = no limit), got " + value);
    }
  }
}
