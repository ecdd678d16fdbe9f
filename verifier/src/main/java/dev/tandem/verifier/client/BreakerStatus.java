package dev.tandem.verifier.client;

/**
 * One server's circuit breaker, for metrics and readiness: what every remote verifier (gRPC
 * servers, OpenAI-compatible base URLs) exposes about each of its servers.
 *
 * @param endpoint the server as configured ({@code host:port}, or a base URL)
 * @param state its circuit breaker's state
 * @param consecutiveFailures failures since its last success
 */
public record BreakerStatus(String endpoint, BreakerState state, int consecutiveFailures) {}
