package dev.tandem.router.accounting;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Reports each crossing of a tenant's alert thresholds once: a log line, the counter {@code
 * tandem_budget_alerts_total{tenant,budget,threshold}}, and, when the tenant has a webhook, a JSON
 * POST to it (fire and forget: a failed POST is logged, never retried, never blocks a request).
 *
 * <p>Threading: {@link #report} is called on any event loop; it does not block.
 */
public final class BudgetAlerts {

  private static final Logger LOG = Logger.getLogger(BudgetAlerts.class.getName());

  private final MeterRegistry registry;
  private final HttpClient http;

  public BudgetAlerts(Vertx vertx, MeterRegistry registry) {
    this.registry = registry;
    this.http = vertx.createHttpClient();
  }

  /** Reports the thresholds this settlement crossed. */
  public void report(Settlement settlement, Tenant tenant, Optional<URI> webhook) {
    for (BudgetAlert alert : BudgetAlert.crossed(settlement, tenant.limits())) {
      LOG.warning("budget alert: " + alert);
      Counter.builder("tandem.budget.alerts")
          .description("Crossings of tenants' budget alert thresholds")
          .tag("tenant", alert.tenantId())
          .tag("budget", alert.budget())
          .tag("threshold", Double.toString(alert.threshold()))
          .register(registry)
          .increment();
      webhook.ifPresent(url -> post(url, alert));
    }
  }

  private void post(URI url, BudgetAlert alert) {
    JsonObject body =
        new JsonObject()
            .put("tenant", alert.tenantId())
            .put("budget", alert.budget())
            .put("period", alert.period())
            .put("threshold", alert.threshold())
            .put("spent_usd", Money.usd(alert.spentNanos()))
            .put("limit_usd", Money.usd(alert.limitNanos()))
            .put("message", alert.toString());
    http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url.toString()))
        .compose(
            request -> request.putHeader("Content-Type", "application/json").send(body.toBuffer()))
        .onFailure(e -> LOG.warning("budget alert webhook " + url + " failed: " + e.getMessage()));
  }
}
