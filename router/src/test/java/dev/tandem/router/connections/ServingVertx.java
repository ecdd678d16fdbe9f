package dev.tandem.router.connections;

import dev.tandem.router.config.TandemConfig.NetTransport;
import io.vertx.core.Vertx;

/**
 * A Vert.x on the transport {@code tandem serve} runs on by default ({@code server.transport:
 * auto}: epoll on Linux), for tests that hold the whole serving path (remote verifiers, TLS, Redis)
 * to what ships; {@code TransportServingTest} holds NIO to it.
 */
public final class ServingVertx {

  private ServingVertx() {}

  public static Vertx create() {
    return NetTransports.vertx(NetTransports.choose(NetTransport.AUTO, "server.transport"));
  }
}
