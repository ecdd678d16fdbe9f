package dev.tandem.router.http;

import dev.tandem.router.accounting.AccountingStore;
import dev.tandem.router.accounting.UsageQuery;
import dev.tandem.router.accounting.UsageRow;
import dev.tandem.router.errors.ErrorMapping;
import dev.tandem.router.errors.TandemException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/**
 * Committed spend as JSON: {@code GET /v1/usage} for the caller's own tenant, {@code GET
 * /admin/usage} for all (optionally {@code ?tenant=}). Query: {@code period} (UTC day {@code
 * yyyy-MM-dd} or month {@code yyyy-MM}, default today), {@code group_by} ({@code tier}, {@code
 * tenant} or an allowed tag key from {@code accounting.metric_tags}; default {@code tier}).
 *
 * <p>Stateless; handlers run on the event loop (the store's queries do not block).
 */
final class UsageEndpoint {

  private UsageEndpoint() {}

  /**
   * @param tenantId whose spend, or null for every tenant
   * @param allowedTags tag keys one may group by
   */
  static void serve(
      RoutingContext ctx,
      AccountingStore store,
      String tenantId,
      List<String> allowedTags,
      Clock clock) {
    UsageQuery query;
    try {
      query = query(ctx, tenantId, allowedTags, clock);
    } catch (RuntimeException e) {
      fail(ctx, e);
      return;
    }
    // A store that cannot answer (Redis down) is UNAVAILABLE / 503, as every failure is mapped.
    store.usage(query).onSuccess(rows -> ctx.json(body(query, rows))).onFailure(e -> fail(ctx, e));
  }

  private static void fail(RoutingContext ctx, Throwable e) {
    TandemException error = ErrorMapping.classify(e);
    ctx.response()
        .setStatusCode(ErrorMapping.httpStatus(error.kind()))
        .putHeader("Content-Type", "application/json")
        .end(ErrorMapping.openAiBody(error).encode());
  }

  private static UsageQuery query(
      RoutingContext ctx, String tenantId, List<String> allowedTags, Clock clock) {
    String period = ctx.request().getParam("period", LocalDate.now(clock).toString());
    String groupBy = ctx.request().getParam("group_by", "tier");
    if (!Set.of("tier", "tenant").contains(groupBy) && !allowedTags.contains(groupBy)) {
      throw TandemException.invalid(
          "group_by",
          "group_by must be tier, tenant or one of the allowed tags "
              + allowedTags
              + ", got "
              + groupBy);
    }
    String tenant = tenantId != null ? tenantId : ctx.request().getParam("tenant");
    try {
      return new UsageQuery(tenant, period, groupBy);
    } catch (IllegalArgumentException e) {
      throw TandemException.invalid("period", e.getMessage());
    }
  }

  private static JsonObject body(UsageQuery query, List<UsageRow> rows) {
    JsonArray data = new JsonArray();
    double total = 0;
    for (UsageRow r : rows) {
      total += r.costUsd();
      data.add(
          new JsonObject()
              .put(query.groupBy(), r.group())
              .put("cost_usd", r.costUsd())
              .put("requests", r.requests())
              .put("tokens", r.tokens()));
    }
    JsonObject body =
        new JsonObject()
            .put("object", "usage")
            .put("period", query.period())
            .put("group_by", query.groupBy())
            .put("total_cost_usd", total)
            .put("data", data);
    if (query.tenantId() != null) {
      body.put("tenant", query.tenantId());
    }
    return body;
  }
}
