package dev.tandem.router.engine;

import dev.tandem.router.accounting.Settlement;
import dev.tandem.router.accounting.Tenant;
import java.util.Map;

/**
 * A request whose charge was committed: for metrics ({@code tandem_cost_usd_total}), budget alerts
 * and the request log.
 *
 * @param tenant who paid
 * @param tier the tier that served it ("" when it never reached one)
 * @param tags attribution tags, the tenant's defaults merged in
 * @param costUsd the committed charge
 * @param settlement the tenant's spend before and after it
 * @param outcome finish reason, or the error kind for a failed stream
 * @param routeReason why the tier was chosen
 */
public record SettledRequest(
    Tenant tenant,
    String tier,
    Map<String, String> tags,
    double costUsd,
    Settlement settlement,
    String outcome,
    String routeReason) {}
