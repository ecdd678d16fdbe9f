package dev.tandem.verifier.client;

import dev.tandem.verifier.engine.ScoringLoad;
import io.vertx.core.net.SocketAddress;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One verifier server as the client sees it: its address, whether its health checks pass, its
 * circuit breaker, and how many sessions this client holds on it.
 *
 * <p>Threading: confined to the {@link GrpcVerifier}'s context, except {@link #load} (volatile:
 * read by request loops on any thread).
 */
final class Endpoint {

  /**
   * Failed health checks in a row that make a server unhealthy. One is not enough: a check can miss
   * while the server serves (a busy machine answering late, a check's connection cut by a network
   * blip), and ejecting a live server for that leaves requests without a failover target. A dead
   * server's sessions fail meanwhile, which its circuit breaker sees at once.
   */
  static final int FAILED_CHECKS_TO_UNHEALTHY = 2;

  final String name;
  final SocketAddress address;
  final EndpointBreaker breaker;
  boolean healthy = true;
  int outstanding;
  boolean checking; // a health check is in flight
  volatile ScoringLoad load = ScoringLoad.UNKNOWN; // as its last verdict reported it
  private int failedChecks; // in a row

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

  /**
   * Records a health check's outcome: one pass makes the server healthy, {@link
   * #FAILED_CHECKS_TO_UNHEALTHY} failures in a row unhealthy.
   *
   * @return true when that changed whether it is healthy
   */
  boolean checked(boolean passed) {
    failedChecks = passed ? 0 : failedChecks + 1;
    boolean now = passed || (healthy && failedChecks < FAILED_CHECKS_TO_UNHEALTHY);
    boolean changed = now != healthy;
    healthy = now;
    return changed;
  }

  /** Health checks failed in a row up to now. */
  int failedChecks() {
    return failedChecks;
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
