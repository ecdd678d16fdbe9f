package dev.tandem.router.routing;

/**
 * The tier a request goes to and why.
 *
 * @param tier the chosen tier's name
 * @param speculate false when the request was degraded to plain decoding on the cheapest tier
 * @param expectedCostUsd what the request is expected to cost there
 * @param worstCaseCostUsd the most it can cost there (what is reserved), capped by its budget
 * @param reason for the final chunk and the request log, e.g. {@code complexity 0.41 <=
 *     small.max_complexity 0.78, expected 0.000021 USD within budget 0.001000}
 */
public record RouteDecision(
    String tier,
    boolean speculate,
    double expectedCostUsd,
    double worstCaseCostUsd,
    String reason) {}
