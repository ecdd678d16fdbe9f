package dev.tandem.bench.net;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay in front of a server: it counts the bytes passing each way (what a gRPC
 * session really puts on the wire: protobuf messages, gRPC length prefixes, HTTP/2 frame headers,
 * window updates, pings) and can hold every byte for a fixed one-way delay, as a network hop to a
 * remote GPU box would. With a delay of {@code rtt / 2} each way, a request/response exchange takes
 * one round-trip {@code rtt} longer, whatever the protocol on top; the server itself is untouched.
 *
 * <p>Bytes keep their order: each direction queues what arrived with its due time and writes the
 * head when it is due (one timer per direction at a time). A sink that cannot keep up pauses its
 * source (TCP back-pressure, as a real link would apply).
 *
 * <p>Threading: the counters may be read from any thread; relaying runs on each connection's event
 * loop (both sockets of a connection share the accepting socket's context).
 */
public final class TcpRelay {

  private final Vertx vertx;
  private final String targetHost;
  private final int targetPort;
  private final long oneWayDelayNanos;
  private final AtomicLong upstreamBytes = new AtomicLong(); // client -> server
  private final AtomicLong downstreamBytes = new AtomicLong(); // server -> client
  private NetServer server;
  private NetClient client;

  /**
   * @param oneWayDelay how long every byte is held in each direction; zero relays at once
   */
  public TcpRelay(Vertx vertx, String targetHost, int targetPort, Duration oneWayDelay) {
    if (targetPort < 1 || targetPort > 65_535) {
      throw new IllegalArgumentException("targetPort must be in 1..65535, got " + targetPort);
    }
    if (oneWayDelay == null || oneWayDelay.isNegative()) {
      throw new IllegalArgumentException("oneWayDelay must be >= 0, got " + oneWayDelay);
    }
    this.vertx = vertx;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.oneWayDelayNanos = oneWayDelay.toNanos();
  }

  /** Listens on an ephemeral loopback port; completes with it. */
  public Future<Integer> start() {
    client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(this::relay);
    return server.listen(0, "127.0.0.1").map(NetServer::actualPort);
  }

  public long upstreamBytes() {
    return upstreamBytes.get();
  }

  public long downstreamBytes() {
    return downstreamBytes.get();
  }

  public Future<Void> close() {
    return server.close().compose(v -> client.close());
  }

  private void relay(NetSocket from) {
    from.pause();
    client
        .connect(targetPort, targetHost)
        .onSuccess(
            to -> {
              new Direction(from, to, upstreamBytes).start();
              new Direction(to, from, downstreamBytes).start();
              from.resume();
            })
        .onFailure(e -> from.close());
  }

  /** One direction of one connection; runs on the connection's event loop only. */
  private final class Direction {
    private record Due(long atNanos, Buffer bytes) {}

    private final NetSocket source;
    private final NetSocket sink;
    private final AtomicLong counter;
    private final ArrayDeque<Due> held = new ArrayDeque<>();
    private boolean timerSet;
    private boolean sourceClosed;

    Direction(NetSocket source, NetSocket sink, AtomicLong counter) {
      this.source = source;
      this.sink = sink;
      this.counter = counter;
    }

    void start() {
      source.handler(this::arrived);
      source.closeHandler(
          v -> {
            sourceClosed = true;
            if (held.isEmpty()) {
              sink.close();
            }
          });
    }

    private void arrived(Buffer bytes) {
      counter.addAndGet(bytes.length());
      if (oneWayDelayNanos == 0) {
        write(bytes);
        return;
      }
      held.add(new Due(System.nanoTime() + oneWayDelayNanos, bytes));
      schedule();
    }

    private void schedule() {
      if (timerSet || held.isEmpty()) {
        return;
      }
      long waitMillis = Math.ceilDiv(held.peek().atNanos() - System.nanoTime(), 1_000_000L);
      if (waitMillis <= 0) {
        flushDue();
        return;
      }
      timerSet = true;
      vertx.setTimer(
          waitMillis,
          id -> {
            timerSet = false;
            flushDue();
          });
    }

    private void flushDue() {
      long now = System.nanoTime();
      while (!held.isEmpty() && held.peek().atNanos() <= now) {
        write(held.poll().bytes());
      }
      if (held.isEmpty() && sourceClosed) {
        sink.close();
        return;
      }
      schedule();
    }

    private void write(Buffer bytes) {
      sink.write(bytes);
      if (sink.writeQueueFull()) {
        source.pause();
        sink.drainHandler(v -> source.resume());
      }
    }
  }
}
