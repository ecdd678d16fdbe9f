package dev.tandem.router.routing;

/**
 * What routing needs to know about one request.
 *
 * @param complexity the prompt's estimate (null when a tier was named, not "auto")
 * @param promptTokens prompt length
 * @param maxTokens most tokens to generate
 * @param kMax longest draft the policy may use
 * @param maxCostUsd the request's cost budget, 0 = none
 * @param ttftMs the request's time-to-first-token target, 0 = none
 * @param minTier the cheapest tier the tenant may be served by, or null
 * @param maxTier the dearest tier the tenant may be served by, or null
 * @param requestMinTier the cheapest tier this request asks for ({@code routing.min_tier}), or null
 * @param requestMaxTier the dearest tier this request asks for ({@code routing.max_tier}), or null
 */
public record RouteRequest(
    Complexity complexity,
    int promptTokens,
    int maxTokens,
    int kMax,
    double maxCostUsd,
    int ttftMs,
    String minTier,
    String maxTier,
    String requestMinTier,
    String requestMaxTier) {}
