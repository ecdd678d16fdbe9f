package dev.tandem.router.accounting;

/**
 * Which spend to report.
 *
 * @param tenantId one tenant, or null for all
 * @param period a UTC day {@code yyyy-MM-dd} or month {@code yyyy-MM}
 * @param groupBy {@code tenant}, {@code tier}, or a tag key (e.g. {@code team})
 */
public record UsageQuery(String tenantId, String period, String groupBy) {

  public UsageQuery {
    if (period == null || !period.matches("\\d{4}-\\d{2}(-\\d{2})?")) {
      throw new IllegalArgumentException(
          "period must be a UTC day yyyy-MM-dd or month yyyy-MM, got " + period);
    }
    if (groupBy == null || groupBy.isBlank()) {
      throw new IllegalArgumentException("group_by must name tenant, tier or a tag key");
    }
  }

  /** Whether a day {@code yyyy-MM-dd} falls in the period. */
  public boolean covers(String day) {
    return day.startsWith(period);
  }
}
