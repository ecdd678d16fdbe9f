package dev.tandem.router.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The keys that take effect only at start: where the router listens, on which transport, and its
 * connection limits, the model runtime, HTTP/2 limits, whether TLS is on at all, Redis and the
 * in-memory cache's size. A reload reports changes to them and leaves them as they are; everything
 * else applies live. Stateless.
 */
public final class RestartKeys {

  private RestartKeys() {}

  /** The restart-only keys whose values differ between {@code running} and {@code next}. */
  public static List<String> changed(TandemConfig running, TandemConfig next) {
    List<String> keys = new ArrayList<>();
    if (!running.server().host().equals(next.server().host())) {
      keys.add("server.host");
    }
    if (running.server().port() != next.server().port()) {
      keys.add("server.port");
    }
    if (running.server().h2c() != next.server().h2c()) {
      keys.add("server.h2c");
    }
    if (running.server().transport() != next.server().transport()) {
      keys.add("server.transport");
    }
    connections(running.server().connections(), next.server().connections(), keys);
    if (running.runtime().backend() != next.runtime().backend()) {
      keys.add("runtime.backend");
    }
    if (running.runtime().threads() != next.runtime().threads()) {
      keys.add("runtime.threads");
    }
    if (running.limits().maxConcurrentStreams() != next.limits().maxConcurrentStreams()) {
      keys.add("limits.max_concurrent_streams");
    }
    if (!running.reload().equals(next.reload())) {
      keys.add("reload");
    }
    if (running.cache().maxEntries() != next.cache().maxEntries()) {
      keys.add("cache.max_entries");
    }
    if (running.tls().isPresent() != next.tls().isPresent()) {
      keys.add("tls");
    }
    if (!running.redis().equals(next.redis())) {
      keys.add("redis"); // the connection and the accounting store live for the router's life
    }
    return keys;
  }

  private static void connections(
      TandemConfig.Connections running, TandemConfig.Connections next, List<String> keys) {
    if (running.maxHeaderBytes() != next.maxHeaderBytes()) {
      keys.add("server.max_header_bytes");
    }
    if (running.maxInitialLineBytes() != next.maxInitialLineBytes()) {
      keys.add("server.max_initial_line_bytes");
    }
    if (!running.headerTimeout().equals(next.headerTimeout())) {
      keys.add("server.header_timeout_ms");
    }
    if (!running.idleTimeout().equals(next.idleTimeout())) {
      keys.add("server.idle_timeout_ms");
    }
    if (running.maxConnections() != next.maxConnections()) {
      keys.add("server.max_connections");
    }
    if (running.http2MaxResetsPerWindow() != next.http2MaxResetsPerWindow()) {
      keys.add("server.http2_max_resets_per_window");
    }
    if (!running.http2ResetWindow().equals(next.http2ResetWindow())) {
      keys.add("server.http2_reset_window_s");
    }
  }
}
