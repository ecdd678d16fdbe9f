package dev.tandem.verifier.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay that counts the bytes passing each way: what a gRPC session really puts on
 * the wire (protobuf messages, gRPC length prefixes, HTTP/2 frame headers, window updates, pings).
 *
 * <p>Threading: counters may be read from any thread; relaying runs on the event loops.
 */
final class ByteCountingProxy {

  private final Vertx vertx;
  private final int targetPort;
  private final AtomicLong upstreamBytes = new AtomicLong(); // client -> server
  private final AtomicLong downstreamBytes = new AtomicLong(); // server -> client
  private NetServer server;
  private NetClient client;

  ByteCountingProxy(Vertx vertx, int targetPort) {
    this.vertx = vertx;
    this.targetPort = targetPort;
  }

  /** Listens on an ephemeral loopback port; completes with it. */
  Future<Integer> start() {
    client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(this::relay);
    return server.listen(0, "127.0.0.1").map(NetServer::actualPort);
  }

  long upstreamBytes() {
    return upstreamBytes.get();
  }

  long downstreamBytes() {
    return downstreamBytes.get();
  }

  Future<Void> close() {
    return server.close().compose(v -> client.close());
  }

  private void relay(NetSocket from) {
    from.pause();
    client
        .connect(targetPort, "127.0.0.1")
        .onSuccess(
            to -> {
              pipe(from, to, upstreamBytes);
              pipe(to, from, downstreamBytes);
              from.resume();
            })
        .onFailure(e -> from.close());
  }

  private static void pipe(NetSocket source, NetSocket sink, AtomicLong counter) {
    source.handler(
        buffer -> {
          counter.addAndGet(buffer.length());
          sink.write(buffer);
          if (sink.writeQueueFull()) {
            source.pause();
            sink.drainHandler(v -> source.resume());
          }
        });
    source.closeHandler(v -> sink.close());
  }
}
