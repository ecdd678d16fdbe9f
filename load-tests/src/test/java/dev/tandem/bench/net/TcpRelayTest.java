package dev.tandem.bench.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Given an echo server behind the relay, expect every byte back in order, counted both ways. */
class TcpRelayTest {

  private Vertx vertx;
  private int echoPort;

  @BeforeEach
  void startEcho() throws Exception {
    vertx = Vertx.vertx();
    NetServer echo =
        vertx.createNetServer().connectHandler(socket -> socket.handler(socket::write));
    echoPort = echo.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void relaysEveryByteInOrderAndCountsBothWays() throws Exception {
    String sent = exchange(Duration.ZERO, 50);
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      expected.append("message ").append(i).append(';');
    }
    assertEquals(expected.toString(), sent);
  }

  @Test
  void aDelayedRelayHoldsEachWayForTheDelayAndKeepsTheOrder() throws Exception {
    long start = System.nanoTime();
    String echoed = exchange(Duration.ofMillis(40), 20);
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(echoed.startsWith("message 0;message 1;"), echoed);
    assertTrue(echoed.endsWith("message 19;"), echoed);
    // a lower bound only: the first byte cannot come back before it waited 40 ms each way
    assertTrue(elapsedMillis >= 80, "round trip took " + elapsedMillis + " ms");
  }

  private String exchange(Duration oneWay, int messages) throws Exception {
    TcpRelay relay = new TcpRelay(vertx, "127.0.0.1", echoPort, oneWay);
    int port = relay.start().await(10, TimeUnit.SECONDS);
    StringBuilder payload = new StringBuilder();
    for (int i = 0; i < messages; i++) {
      payload.append("message ").append(i).append(';');
    }
    int length = payload.toString().getBytes(StandardCharsets.US_ASCII).length;
    Promise<String> done = Promise.promise();
    // Held to the end: Vert.x closes a client nothing references (a Cleaner), its sockets too.
    NetClient client = vertx.createNetClient();
    NetSocket socket = client.connect(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
    Buffer received = Buffer.buffer();
    socket.handler(
        b -> {
          received.appendBuffer(b);
          if (received.length() >= length) {
            done.tryComplete(received.toString(StandardCharsets.US_ASCII));
          }
        });
    for (int i = 0; i < messages; i++) {
      socket.write("message " + i + ";");
    }
    String echoed = done.future().await(10, TimeUnit.SECONDS);
    assertEquals(length, relay.upstreamBytes());
    assertEquals(length, relay.downstreamBytes());
    socket.close();
    client.close().await(10, TimeUnit.SECONDS);
    relay.close().await(10, TimeUnit.SECONDS);
    return echoed;
  }
}
