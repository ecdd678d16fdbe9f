package dev.tandem.router.connections;

import dev.tandem.router.config.TandemConfig.Connections;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Bounds the connections of one listener: at most {@link Connections#maxConnections()} open (the
 * rest are closed as soon as they are handed over), and each must send a request head within {@link
 * Connections#headerTimeout()} (see {@link HeadTimeout} for HTTP/1.x; an HTTP/2 connection must
 * open its first stream in that time, after which the idle timeout watches it).
 *
 * <p>Vert.x hands a connection over once it knows its protocol: with TLS right after the handshake
 * (bounded by Vert.x's 10 s handshake timeout), for cleartext HTTP/2 after the connection preface,
 * and for cleartext HTTP/1.x at once when cleartext HTTP/2 is off ({@code server.h2c: false}), but
 * only once the first request head is complete when it is on (the default: Vert.x reads that head
 * to see whether it asks for an upgrade to h2c). In that last case the connection is bounded until
 * then by the idle timeout and the header size limits alone: a cleartext client trickling its first
 * head is cut off by neither this guard nor the header timeout. Deployments exposed to untrusted
 * clients should serve TLS, or turn h2c off, or sit behind a proxy that bounds the head.
 *
 * <p>Threading: {@link #accept} and {@link #requestArrived} are called on the connections' event
 * loops (several); the counts are atomic and the pending map is concurrent.
 */
public final class ConnectionGuard {

  private static final Logger LOG = Logger.getLogger(ConnectionGuard.class.getName());

  private final Connections limits;
  private final ConnectionTimers timers;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong timedOut = new AtomicLong();

  /** HTTP/2 connections that have not opened a stream yet, with their timer. */
  private final Map<HttpConnection, ConnectionTimers.Timer> awaitingFirstStream =
      new ConcurrentHashMap<>();

  /**
   * @param timers how the header timeout is scheduled ({@link ConnectionTimers#NETTY} but in tests)
   */
  public ConnectionGuard(Connections limits, ConnectionTimers timers) {
    this.limits = limits;
    this.timers = timers;
  }

  /** A connection was accepted: counts it, and closes it when over the limit or too slow. */
  public void accept(HttpConnection connection) {
    int now = open.incrementAndGet();
    connection.closeHandler(v -> closed(connection));
    if (now > limits.maxConnections()) {
      if (refused.getAndIncrement() % 1000 == 0) {
        LOG.warning(
            "server.max_connections ("
                + limits.maxConnections()
                + ") reached: closing new connections ("
                + refused.get()
                + " so far)");
      }
      connection.close();
      return;
    }
    long timeoutMs = limits.headerTimeout().toMillis();
    if (timeoutMs <= 0) {
      return;
    }
    if (!(connection instanceof ConnectionBase base)) {
      return; // every connection of Vert.x's HTTP server is one; nothing to hang a timer on
    }
    ChannelPipeline pipeline = base.channel().pipeline();
    HttpRequestDecoder decoder = pipeline.get(HttpRequestDecoder.class);
    if (decoder != null) {
      // after the response encoder too, so that it sees responses as HTTP messages, not bytes
      HttpResponseEncoder encoder = pipeline.get(HttpResponseEncoder.class);
      pipeline.addAfter(
          pipeline.context(encoder != null ? encoder : decoder).name(),
          "tandem-head-timeout",
          new HeadTimeout(
              TimeUnit.MILLISECONDS.toNanos(timeoutMs), timers, ctx -> timedOut.incrementAndGet()));
    } else {
      ConnectionTimers.Timer[] timer = new ConnectionTimers.Timer[1];
      timer[0] =
          timers.schedule(
              base.channel().eventLoop(),
              () -> {
                if (awaitingFirstStream.remove(connection, timer[0])) {
                  timedOut.incrementAndGet();
                  connection.close();
                }
              },
              TimeUnit.MILLISECONDS.toNanos(timeoutMs));
      awaitingFirstStream.put(connection, timer[0]);
    }
  }

  /** A request head arrived on {@code request}'s connection. */
  public void requestArrived(HttpServerRequest request) {
    if (awaitingFirstStream.isEmpty()) {
      return;
    }
    ConnectionTimers.Timer timer = awaitingFirstStream.remove(request.connection());
    if (timer != null) {
      timer.cancel();
    }
  }

  private void closed(HttpConnection connection) {
    open.decrementAndGet();
    ConnectionTimers.Timer timer = awaitingFirstStream.remove(connection);
    if (timer != null) {
      timer.cancel();
    }
  }

  /** Connections open now (the refused ones until their close completes). */
  public int open() {
    return open.get();
  }

  /** Connections closed at once because {@code server.max_connections} were open. */
  public long refused() {
    return refused.get();
  }

  /** Connections closed because no request head came within {@code server.header_timeout_ms}. */
  public long timedOut() {
    return timedOut.get();
  }
}
