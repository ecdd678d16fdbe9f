package dev.tandem.verifier.client;

import dev.tandem.verifier.engine.ScoringLoad;
import io.vertx.core.net.SocketAddress;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One verifier server as the client sees it: its address, whether its last health check passed, its
 * circuit breaker, and how many sessions this client holds on it.
 *
 * <p>Threading: confined to the {@link GrpcVerifier}'s context, except {@link #load} (volatile:
 * read by request loops on any thread).
 */
final class Endpoint {

  final String name;
  final SocketAddress address;
  final EndpointBreaker breaker;
  boolean healthy = true;
  int outstanding;
  boolean checking; // a health check is in flight
  volatile ScoringLoad load = ScoringLoad.UNKNOWN; // as its last verdict reported it

  Endpoint(
      String hostPort,
      CircuitBreakerOptions breaker,
      LongSupplier nanoClock,
      Consumer<BreakerState> onBreakerChange) {
    int colon = hostPort.lastIndexOf(':');
    this.name = hostPort;
    this.address =
        SocketAddress.inetSocketAddress(
            Integer.parseInt(hostPort.substring(colon + 1)), hostPort.substring(0, colon));
    this.breaker = new EndpointBreaker(breaker, nanoClock, onBreakerChange);
  }

  /** True when a new session may go here: healthy, and the breaker lets it through. */
  boolean admits() {
    return healthy && breaker.state() != BreakerState.OPEN;
  }

  @Override
  public String toString() {
    return name;
  }
}
