package dev.tandem.router.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpc;
import dev.tandem.router.Eventually;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.config.TandemConfig.Connections;
import dev.tandem.router.synthetic.SyntheticRouter;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that misbehave at the connection level: each gets a clear status or is cut off, the
 * router lets go of what they held, and a well-behaved stream running meanwhile still gets exactly
 * its text. Limits are set small so that each abuse crosses them in a few bytes; every wait is
 * bounded ({@link RawHttp#BOUND_MS}) and nothing depends on how fast the machine runs.
 */
class AbusiveClientTest {

  private static final Connections TIGHT =
      new Connections(
          4096,
          1024,
          Duration.ofMillis(400),
          Duration.ofMinutes(10),
          10_000,
          50,
          Duration.ofMinutes(1));

  private SyntheticRouter router;
  private final List<ManagedChannel> channels = new ArrayList<>();

  /**
   * A router whose head timers never fire (they run on a clock nobody moves): for the tests of
   * other limits, so that a client slowed down by a loaded machine is not cut off by the tight
   * header timeout (a well-behaved gRPC client whose first stream came 400 ms after its connection
   * lost it that way).
   */
  private void start(Connections connections) {
    startWith(connections, new ManualTimers());
  }

  /** A router whose head timers run on the wall clock: for a test that waits for one to fire. */
  private void startTimed(Connections connections) {
    startWith(connections, ConnectionTimers.NETTY);
  }

  private void startWith(Connections connections, ConnectionTimers timers) {
    startOn(
        SyntheticRouter.withConnections(SyntheticRouter.transportConfig(4096), connections),
        timers);
  }

  /** A cleartext router without h2c: HTTP/1.x only, connections handed over when accepted. */
  private void startWithoutH2c(Connections connections, ConnectionTimers timers) {
    TandemConfig base = SyntheticRouter.transportConfig(4096);
    startOn(
        SyntheticRouter.withServer(
            base,
            new TandemConfig.Server(
                base.server().host(), base.server().port(), connections, false)),
        timers);
  }

  /** A router serving TLS: connections are handed over (counted, timed) after the handshake. */
  private void startTls(Connections connections) {
    startOn(
        SyntheticRouter.withConnections(
            SyntheticRouter.transportConfig(4096, java.util.Optional.of(TlsSockets.selfSigned())),
            connections),
        ConnectionTimers.NETTY);
  }

  private void startOn(TandemConfig config, ConnectionTimers timers) {
    router =
        new SyntheticRouter(
            1, 0.6, dev.tandem.router.metrics.RouterMetrics.disabled(), config, timers);
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (router != null) {
      router.close();
    }
  }

  @Test
  void headersOverTheLimitGet431AndALongRequestLine414() throws Exception {
    start(TIGHT);
    String big = "x".repeat(5000);
    assertEquals(
        431,
        RawHttp.status(
            router.port, "GET /health/live HTTP/1.1\r\nHost: a\r\nX-Big: " + big + "\r\n\r\n"));
    assertEquals(
        414,
        RawHttp.status(router.port, "GET /health/live?" + big + " HTTP/1.1\r\nHost: a\r\n\r\n"));
    assertEquals(200, RawHttp.status(router.port, "GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n"));
  }

  @Test
  void aBodyOverTheLimitGets413WhetherAnnouncedOrStreamed() throws Exception {
    start(TIGHT);
    int limit = 64 * 1024; // limits.max_body_bytes of the transport config
    assertEquals(
        413,
        RawHttp.status(
            router.port,
            "POST /v1/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + (limit + 1)
                + "\r\n\r\n{"));
    try (Socket socket = RawHttp.connect(router.port)) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                  + "Transfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = ("4000\r\n" + " ".repeat(0x4000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      // Five 16 KiB chunks pass the limit; the server answers 413 before the body ends.
      for (int i = 0; i < 5; i++) {
        out.write(chunk);
      }
      out.flush();
      assertEquals(413, RawHttp.statusOf(RawHttp.readHead(socket.getInputStream())));
    }
  }

  @Test
  void aHeadSentAByteAtATimeIsCutOffAtTheHeaderTimeout() throws Exception {
    startTls(TIGHT);
    try (Socket socket = TlsSockets.connect(router.port)) {
      Thread trickle =
          Thread.ofVirtual()
              .start(
                  () -> {
                    byte[] head =
                        ("POST /v1/completions HTTP/1.1\r\nHost: a\r\n" + "X-Slow: ".repeat(500))
                            .getBytes(StandardCharsets.US_ASCII);
                    try {
                      for (byte b : head) {
                        socket.getOutputStream().write(b);
                        Thread.sleep(20); // a byte per 20 ms: the connection is never idle
                      }
                    } catch (IOException | InterruptedException closed) {
                      // the server closed it: what the test waits for
                    }
                  });
      RawHttp.awaitClosed(socket);
      trickle.interrupt();
    }
    assertEquals(1, router.server.connections().timedOut());
    assertEquals(200, status(TlsSockets.connect(router.port)), "a prompt client is served");
  }

  /**
   * With cleartext HTTP/2 off ({@code server.h2c: false}) a cleartext connection is HTTP/1.x from
   * its first byte and handed over when accepted, so a first head trickled in is cut off too (with
   * h2c on, Vert.x holds the connection until that head is complete: see {@link ConnectionGuard}).
   */
  @Test
  void withoutH2cAFirstHeadTrickledInIsCutOffAtTheHeaderTimeout() throws Exception {
    ManualTimers timers = new ManualTimers();
    startWithoutH2c(TIGHT, timers);
    try (Socket socket = RawHttp.connect(router.port)) {
      socket.getOutputStream().write(ascii("POST /v1/completions HTTP/1.1\r\nHost: a\r\nX-Slow: "));
      socket.getOutputStream().flush();
      Eventually.until(
          () -> router.server.connections().open() == 1 && timers.pending() == 1,
          Duration.ofSeconds(10),
          "the connection handed over with its head timer");
      assertEquals(1, timers.advance(TIGHT.headerTimeout().multipliedBy(3)), "the timer fired");
      RawHttp.awaitClosed(socket);
    }
    assertEquals(1, router.server.connections().timedOut());
    assertEquals(200, status(RawHttp.connect(router.port)), "a prompt client is served");
  }

  /** Without h2c a cleartext gRPC client fails at once (no HTTP/2 here), it does not hang. */
  @Test
  void withoutH2cACleartextGrpcClientFailsFast() throws Exception {
    startWithoutH2c(TIGHT, new ManualTimers());
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", router.port).usePlaintext().build();
    channels.add(channel);
    io.grpc.StatusRuntimeException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            io.grpc.StatusRuntimeException.class,
            () ->
                GenerationGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(RawHttp.BOUND_MS, TimeUnit.MILLISECONDS)
                    .generate(GenerateRequest.newBuilder().setPrompt("hi").build())
                    .hasNext());
    org.junit.jupiter.api.Assertions.assertNotEquals(
        io.grpc.Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.toString());
  }

  @Test
  void aKeepAliveConnectionMustSendItsNextHeadInTimeToo() throws Exception {
    startTimed(TIGHT);
    try (Socket socket = RawHttp.connect(router.port)) {
      socket.getOutputStream().write(ascii("GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n"));
      assertEquals(200, RawHttp.statusOf(RawHttp.readHead(socket.getInputStream())));
      socket.getOutputStream().write(ascii("GET /health/live HTTP/1.1\r\nHost: a\r\n"));
      RawHttp.awaitClosed(socket);
    }
    assertEquals(1, router.server.connections().timedOut());
  }

  /**
   * On cleartext HTTP/1.x Vert.x hands the connection over only once the first request head has
   * been decoded (to see whether it asks for h2c), so the head timer never sees that head pass. It
   * must still count it as arrived: a first request whose body or response takes longer than the
   * header timeout (a slow first token under load) is not cut off (it was, 10 s after the
   * connection opened, failing SSE load tests with "Connection was closed").
   */
  @Test
  void aFirstRequestStillInProgressOutlivesTheHeadTimeout() throws Exception {
    ManualTimers timers = new ManualTimers();
    startWith(TIGHT, timers);
    byte[] request =
        RawHttp.post(
            "/v1/completions",
            "{\"prompt\":\"hi\",\"max_tokens\":1}".getBytes(StandardCharsets.US_ASCII));
    try (Socket socket = RawHttp.connect(router.port)) {
      OutputStream out = socket.getOutputStream();
      out.write(request, 0, request.length - 1); // the head, and the body but its last byte
      out.flush();
      Eventually.until(
          () -> router.server.connections().open() == 1, Duration.ofSeconds(10), "handed over");
      Eventually.until(
          () -> timers.pending() == 0, Duration.ofSeconds(10), "the head timer stopped");
      assertEquals(0, timers.advance(TIGHT.headerTimeout().multipliedBy(3)), "no timer fired");
      assertEquals(0, router.server.connections().timedOut(), "the head had arrived");
      out.write(request, request.length - 1, 1);
      out.flush();
      assertEquals(200, RawHttp.statusOf(RawHttp.readHead(socket.getInputStream())));
    }
  }

  /**
   * The head timer of a connection that a client upgraded to h2c fires (on a clock the test moves)
   * and leaves it open: HTTP/2 has no request heads for it to wait for.
   */
  @Test
  void aConnectionUpgradedToH2cOutlivesTheHeadTimeout() throws Exception {
    ManualTimers timers = new ManualTimers();
    startWith(TIGHT, timers);
    try (java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient()) {
      java.net.http.HttpRequest live =
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create("http://127.0.0.1:" + router.port + "/health/live"))
              .build();
      java.net.http.HttpResponse<String> first =
          client.send(live, java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(java.net.http.HttpClient.Version.HTTP_2, first.version(), "upgraded");
      // the head timer stopped when the upgrade request's (empty) content passed, or fires and
      // finds no HTTP/1.x decoder left: either way the connection stays open
      timers.advance(TIGHT.headerTimeout().multipliedBy(3));
      assertEquals(
          200, client.send(live, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
      assertEquals(0, router.server.connections().timedOut());
      assertEquals(1, router.server.connections().open(), "the same connection served both");
    }
  }

  @Test
  void aSilentConnectionIsClosedByTheIdleTimeout() throws Exception {
    start(
        new Connections(
            4096,
            1024,
            Duration.ofMinutes(10),
            Duration.ofMillis(300),
            10_000,
            50,
            Duration.ofMinutes(1)));
    try (Socket socket = RawHttp.connect(router.port)) {
      RawHttp.awaitClosed(socket);
    }
  }

  @Test
  void connectionsBeyondTheLimitAreClosedAtOnceAndTheSlotsComeBack() throws Exception {
    int max = 8;
    startTls(
        new Connections(
            4096,
            1024,
            Duration.ofMinutes(10),
            Duration.ofMinutes(10),
            max,
            50,
            Duration.ofMinutes(1)));
    List<Socket> flood = new ArrayList<>();
    try {
      for (int i = 0; i < max; i++) {
        flood.add(TlsSockets.connect(router.port)); // a handshake, then silence
      }
      Eventually.until(
          () -> router.server.connections().open() == max, Duration.ofSeconds(30), "8 open");
      try (Socket extra = TlsSockets.connect(router.port)) {
        extra.getOutputStream().write(ascii("GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n"));
        RawHttp.awaitClosed(extra);
      }
      assertEquals(1, router.server.connections().refused());
    } finally {
      for (Socket s : flood) {
        s.close();
      }
    }
    Eventually.until(
        () -> router.server.connections().open() == 0, Duration.ofSeconds(30), "slots back");
    assertEquals(200, status(TlsSockets.connect(router.port)));
  }

  @Test
  void anHttp2RapidResetFloodEndsWithGoAwayWhileOtherStreamsFinish() throws Exception {
    start(TIGHT);
    CompletableFuture<String> wellBehaved = wellBehavedStream(300);
    RawH2.Frame goAway;
    try (RawH2 h2 = new RawH2(router.port)) {
      try {
        for (int i = 0; i < 500; i++) {
          int id = 2 * i + 1;
          h2.openGenerate(id);
          h2.reset(id);
        }
        h2.flush();
      } catch (IOException closedWhileWriting) {
        // the server closed the connection part way: what is asserted below
      }
      goAway = h2.awaitGoAway();
    }
    assertNotNull(goAway, "the connection closed without a GOAWAY");
    assertEquals(RawH2.ENHANCE_YOUR_CALM, goAway.goAwayError());
    assertEquals(SyntheticRouter.expectedText(300), wellBehaved.get(30, TimeUnit.SECONDS));
    Eventually.until(
        () -> router.backend.openSessions() == 0, Duration.ofSeconds(30), "no sessions left");
  }

  /** GET /health/live on {@code socket} (closed afterwards); the status. */
  private static int status(Socket socket) throws IOException {
    try (socket) {
      socket.getOutputStream().write(ascii("GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n"));
      return RawHttp.statusOf(RawHttp.readHead(socket.getInputStream()));
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** A gRPC stream of {@code tokens} tokens on its own connection; completes with its text. */
  private CompletableFuture<String> wellBehavedStream(int tokens) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", router.port)
            .usePlaintext()
            .directExecutor()
            .build();
    channels.add(channel);
    CompletableFuture<String> result = new CompletableFuture<>();
    StringBuilder text = new StringBuilder();
    GenerationGrpc.newStub(channel)
        .generate(
            GenerateRequest.newBuilder().setPrompt("well behaved").setMaxTokens(tokens).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(GenerateChunk chunk) {
                text.append(chunk.getText());
              }

              @Override
              public void onError(Throwable t) {
                result.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                result.complete(text.toString());
              }
            });
    return result;
  }
}
