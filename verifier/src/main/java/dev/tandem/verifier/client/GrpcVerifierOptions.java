package dev.tandem.verifier.client;

import dev.tandem.verifier.tls.ClientTlsFiles;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where and how a {@link GrpcVerifier} reaches its verifier servers.
 *
 * @param model model id to request in Open (empty: each server's own); also the verifier's name
 * @param endpoints {@code host:port} of each server, at least one
 * @param healthInterval period of the {@code GET /health} checks; a server failing two in a row
 *     gets no new sessions until one succeeds
 * @param callTimeout longest wait for an Opened or a Verdict before the session is failed as
 *     unavailable (and replaced, within {@code maxFailovers})
 * @param maxFailovers how many times one request's session may be moved to another endpoint when
 *     its endpoint dies, stalls past the call timeout or drains, 0..16 (0: never)
 * @param breaker when an endpoint is taken out of rotation
 * @param tls TLS to the servers (their health checks included), or empty for plaintext
 */
public record GrpcVerifierOptions(
    String model,
    List<String> endpoints,
    Duration healthInterval,
    Duration callTimeout,
    int maxFailovers,
    CircuitBreakerOptions breaker,
    Optional<ClientTlsFiles> tls) {

  /** Most failovers a request may be allowed. */
  public static final int MAX_FAILOVERS = 16;

  public GrpcVerifierOptions {
    if (model == null) {
      throw new IllegalArgumentException("model must not be null (empty = the server's own)");
    }
    if (endpoints == null || endpoints.isEmpty()) {
      throw new IllegalArgumentException("endpoints must list at least one host:port");
    }
    endpoints = List.copyOf(endpoints);
    for (String endpoint : endpoints) {
      int colon = endpoint.lastIndexOf(':');
      if (colon <= 0 || !endpoint.substring(colon + 1).matches("\\d{1,5}")) {
        throw new IllegalArgumentException("endpoint must be host:port, got " + endpoint);
      }
    }
    if (healthInterval == null || healthInterval.toMillis() < 1) {
      throw new IllegalArgumentException("healthInterval must be >= 1 ms, got " + healthInterval);
    }
    if (callTimeout == null || callTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("callTimeout must be >= 1 ms, got " + callTimeout);
    }
    if (maxFailovers < 0 || maxFailovers > MAX_FAILOVERS) {
      throw new IllegalArgumentException(
          "maxFailovers must be in 0.." + MAX_FAILOVERS + ", got " + maxFailovers);
    }
    if (breaker == null) {
      throw new IllegalArgumentException("breaker must not be null");
    }
    if (tls == null) {
      throw new IllegalArgumentException("tls must not be null (Optional.empty() for plaintext)");
    }
  }

  /**
   * Health checks every 2 s, 30 s call timeout, at most 2 failovers per request, circuits open
   * after 3 consecutive failures for 10 s.
   */
  public static GrpcVerifierOptions of(String model, List<String> endpoints) {
    return new GrpcVerifierOptions(
        model,
        endpoints,
        Duration.ofSeconds(2),
        Duration.ofSeconds(30),
        2,
        CircuitBreakerOptions.DEFAULTS,
        Optional.empty());
  }

  public GrpcVerifierOptions withHealthInterval(Duration value) {
    return new GrpcVerifierOptions(
        model, endpoints, value, callTimeout, maxFailovers, breaker, tls);
  }

  public GrpcVerifierOptions withCallTimeout(Duration value) {
    return new GrpcVerifierOptions(
        model, endpoints, healthInterval, value, maxFailovers, breaker, tls);
  }

  public GrpcVerifierOptions withMaxFailovers(int value) {
    return new GrpcVerifierOptions(
        model, endpoints, healthInterval, callTimeout, value, breaker, tls);
  }

  public GrpcVerifierOptions withBreaker(CircuitBreakerOptions value) {
    return new GrpcVerifierOptions(
        model, endpoints, healthInterval, callTimeout, maxFailovers, value, tls);
  }

  /** Reach the servers over TLS, trusting {@code value.ca()} (and presenting a client cert). */
  public GrpcVerifierOptions withTls(ClientTlsFiles value) {
    return new GrpcVerifierOptions(
        model, endpoints, healthInterval, callTimeout, maxFailovers, breaker, Optional.of(value));
  }
}
