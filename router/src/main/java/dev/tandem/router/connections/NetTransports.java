package dev.tandem.router.connections;

import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.config.TandemConfig.NetTransport;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.transport.Transport;
import java.util.Optional;

/**
 * The network transport Vert.x runs on ({@code server.transport}; the verifier server's {@code
 * --transport}), and a Vert.x built on it. The transport is fixed when Vert.x is built, so the
 * process that builds it (the CLI) chooses it before anything else starts.
 *
 * <p>Stateless; thread-safe.
 */
public final class NetTransports {

  private NetTransports() {}

  /**
   * A transport chosen for a setting.
   *
   * @param transport what Vert.x is built on
   * @param description its name for the operator, with why epoll was not taken when {@code auto}
   *     fell to NIO, e.g. {@code nio (epoll does not load here: ...)}
   */
  public record Choice(Transport transport, String description) {}

  /**
   * The transport {@code wanted} names.
   *
   * @param setting the setting's name for the error, e.g. {@code server.transport}
   * @throws IllegalArgumentException naming {@code setting} when {@code wanted} is epoll and the
   *     native epoll transport does not load on this platform
   */
  public static Choice choose(NetTransport wanted, String setting) {
    return choose(wanted, Transport.EPOLL, setting);
  }

  /**
   * The transport a config's {@code server.transport} names (as {@link #choose(NetTransport,
   * String)}).
   */
  public static Choice choose(TandemConfig.Server server) {
    return choose(server.transport(), "server.transport");
  }

  /** As {@link #choose(NetTransport, String)} with {@code epoll} as the native transport. */
  static Choice choose(NetTransport wanted, Transport epoll, String setting) {
    return switch (wanted) {
      case NIO -> new Choice(Transport.NIO, "nio");
      case EPOLL -> {
        if (!epoll.available()) {
          throw new IllegalArgumentException(
              setting
                  + " is epoll, but the native epoll transport does not load here ("
                  + why(epoll)
                  + "); use auto or nio");
        }
        yield new Choice(epoll, "epoll");
      }
      case AUTO ->
          epoll.available()
              ? new Choice(epoll, "epoll")
              : new Choice(Transport.NIO, "nio (epoll does not load here: " + why(epoll) + ")");
    };
  }

  /** A Vert.x on {@code choice}'s transport, otherwise with Vert.x's default options. */
  public static Vertx vertx(Choice choice) {
    return vertx(choice, new VertxOptions(), Optional.empty());
  }

  /**
   * A Vert.x on {@code choice}'s transport with {@code options}; its own metrics through {@code
   * metrics} when present.
   */
  public static Vertx vertx(
      Choice choice, VertxOptions options, Optional<VertxMetricsFactory> metrics) {
    VertxBuilder builder = Vertx.builder().with(options).withTransport(choice.transport());
    metrics.ifPresent(builder::withMetrics);
    return builder.build();
  }

  private static String why(Transport epoll) {
    Throwable cause = epoll.unavailabilityCause();
    if (cause == null) {
      return "no reason given";
    }
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.toString();
  }
}
