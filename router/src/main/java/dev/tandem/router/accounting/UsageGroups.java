package dev.tandem.router.accounting;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Usage in Redis: how a charge's tier and tags become one field group of a day's usage hash ({@code
 * ["tier",{"tag":"value"}]}, tags in key order, then {@code |c} cost, {@code |r} requests, {@code
 * |t} tokens), and how a query's rows are summed back from those hashes.
 *
 * <p>Not thread-safe: one per query.
 */
final class UsageGroups {

  private final String groupBy;
  private final Map<String, long[]> groups = new TreeMap<>();

  UsageGroups(String groupBy) {
    this.groupBy = groupBy;
  }

  /** The field group of a charge. */
  static String field(Charge charge) {
    return new JsonArray()
        .add(charge.tier())
        .add(new JsonObject(new TreeMap<>(charge.tags())))
        .encode();
  }

  /** The UTC days of a period: itself for a day, each day of a month. */
  static List<String> days(String period) {
    if (period.length() == 10) {
      return List.of(period);
    }
    YearMonth month = YearMonth.parse(period);
    List<String> days = new ArrayList<>();
    for (int d = 1; d <= month.lengthOfMonth(); d++) {
      days.add(month.atDay(d).toString());
    }
    return days;
  }

  /**
   * Adds one tenant's usage: the usage script's answer, one flat {@code HGETALL} (field, value,
   * ...) per day.
   */
  void add(String tenant, Response days) {
    for (Response day : days) {
      for (int i = 0; i + 1 < day.size(); i += 2) {
        String field = day.get(i).toString();
        int bar = field.lastIndexOf('|');
        JsonArray group = new JsonArray(field.substring(0, bar));
        int slot =
            switch (field.substring(bar + 1)) {
              case "c" -> 0;
              case "r" -> 1;
              default -> 2;
            };
        groups.computeIfAbsent(name(tenant, group), g -> new long[3])[slot] +=
            day.get(i + 1).toLong();
      }
    }
  }

  private String name(String tenant, JsonArray group) {
    return switch (groupBy) {
      case "tenant" -> tenant;
      case "tier" -> group.getString(0);
      default -> group.getJsonObject(1).getString(groupBy, "");
    };
  }

  /** The rows, sorted by group. */
  List<UsageRow> rows() {
    List<UsageRow> rows = new ArrayList<>();
    groups.forEach((group, g) -> rows.add(new UsageRow(group, g[0], g[1], g[2])));
    return rows;
  }
}
