package dev.tandem.verifier;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A fault-injecting TCP relay between clients and one server on loopback: it forwards bytes both
 * ways until told to {@link #kill()} (every connection closed, new ones refused), {@link #stall()}
 * (bytes stop moving, connections stay open) or {@link #refuse()} (new connections closed at once,
 * live ones untouched). {@link #heal()} restores plain forwarding for new connections.
 *
 * <p>Threading: the control methods may be called from any thread; the relay's sockets live on the
 * Vert.x instance it was started on.
 */
public final class FaultyRelay implements AutoCloseable {

  private enum Mode {
    FORWARD,
    STALL,
    REFUSE
  }

  private record Pair(NetSocket front, NetSocket back) {
    void close() {
      front.close();
      back.close();
    }
  }

  private final NetServer server;
  private final NetClient client;
  private final int targetPort;
  private final Queue<Pair> pairs = new ConcurrentLinkedQueue<>();
  private volatile Mode mode = Mode.FORWARD;
  private final int port;

  private FaultyRelay(Vertx vertx, int targetPort) {
    this.targetPort = targetPort;
    this.client = vertx.createNetClient();
    this.server = vertx.createNetServer().connectHandler(this::accept);
    this.port = server.listen(0, "127.0.0.1").await().actualPort();
  }

  /** A relay on a free loopback port in front of {@code 127.0.0.1:targetPort}. */
  public static FaultyRelay start(Vertx vertx, int targetPort) {
    return new FaultyRelay(vertx, targetPort);
  }

  /** {@code host:port} of the relay, as a client's endpoint. */
  public String endpoint() {
    return "127.0.0.1:" + port;
  }

  /** The server died: every connection is closed, new ones are closed on arrival. */
  public void kill() {
    mode = Mode.REFUSE;
    Pair pair;
    while ((pair = pairs.poll()) != null) {
      pair.close();
    }
  }

  /** The server hangs: nothing moves either way on live or new connections until {@link #heal}. */
  public void stall() {
    mode = Mode.STALL;
    pairs.forEach(
        p -> {
          p.front().pause();
          p.back().pause();
        });
  }

  /** New connections are closed on arrival; live ones keep working. */
  public void refuse() {
    mode = Mode.REFUSE;
  }

  /** Forward again: stalled connections resume, new ones are relayed. */
  public void heal() {
    mode = Mode.FORWARD;
    pairs.forEach(
        p -> {
          p.front().resume();
          p.back().resume();
        });
  }

  /** Connections being relayed now. */
  public int connections() {
    return pairs.size();
  }

  private void accept(NetSocket front) {
    if (mode == Mode.REFUSE) {
      front.close();
      return;
    }
    front.pause();
    client
        .connect(targetPort, "127.0.0.1")
        .onFailure(e -> front.close())
        .onSuccess(
            back -> {
              Pair pair = new Pair(front, back);
              pairs.add(pair);
              front.handler(back::write);
              back.handler(front::write);
              front.closeHandler(v -> drop(pair));
              back.closeHandler(v -> drop(pair));
              front.exceptionHandler(e -> drop(pair));
              back.exceptionHandler(e -> drop(pair));
              switch (mode) {
                case FORWARD -> front.resume();
                case STALL -> back.pause();
                case REFUSE -> drop(pair);
              }
            });
  }

  private void drop(Pair pair) {
    pairs.remove(pair);
    pair.close();
  }

  @Override
  public void close() {
    kill();
    server.close().await();
    client.close().await();
  }
}
