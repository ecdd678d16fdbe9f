package dev.tandem.verifier.client;

import java.time.Duration;
import java.util.List;

/**
 * Where and how a {@link GrpcVerifier} reaches its verifier servers.
 *
 * @param model model id to request in Open (empty: each server's own); also the verifier's name
 * @param endpoints {@code host:port} of each server, at least one
 * @param healthInterval period of the {@code GET /health} checks; a server failing one gets no new
 *     sessions until one succeeds
 * @param callTimeout longest wait for an Opened or a Verdict before the session is failed as
 *     unavailable
 */
public record GrpcVerifierOptions(
    String model, List<String> endpoints, Duration healthInterval, Duration callTimeout) {

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
  }

  /** Health checks every 2 s, 30 s call timeout. */
  public static GrpcVerifierOptions of(String model, List<String> endpoints) {
    return new GrpcVerifierOptions(model, endpoints, Duration.ofSeconds(2), Duration.ofSeconds(30));
  }

  public GrpcVerifierOptions withHealthInterval(Duration value) {
    return new GrpcVerifierOptions(model, endpoints, value, callTimeout);
  }

  public GrpcVerifierOptions withCallTimeout(Duration value) {
    return new GrpcVerifierOptions(model, endpoints, healthInterval, value);
  }
}
