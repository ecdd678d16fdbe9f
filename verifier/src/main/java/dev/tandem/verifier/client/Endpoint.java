package dev.tandem.verifier.client;

import io.vertx.core.net.SocketAddress;

/**
 * One verifier server as the client sees it: its address, whether its last health check passed, and
 * how many sessions this client holds on it.
 *
 * <p>Threading: confined to the {@link GrpcVerifier}'s context.
 */
final class Endpoint {

  final String name;
  final SocketAddress address;
  boolean healthy = true;
  int outstanding;
  boolean checking; // a health check is in flight

  Endpoint(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    this.name = hostPort;
    this.address =
        SocketAddress.inetSocketAddress(
            Integer.parseInt(hostPort.substring(colon + 1)), hostPort.substring(0, colon));
  }

  @Override
  public String toString() {
    return name;
  }
}
