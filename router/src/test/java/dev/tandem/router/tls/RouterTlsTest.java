package dev.tandem.router.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpc;
import dev.tandem.router.boot.TandemRouter;
import dev.tandem.router.config.FileConfigSource;
import dev.tandem.router.connections.ServingVertx;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.verifier.tls.Tls;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router behind TLS on the embedded default, with certificates made at test time: gRPC with
 * grpc-java, SSE over HTTPS, plaintext and untrusted clients refused, admin endpoints only with a
 * trusted client certificate, certificates reloaded for new connections, the OpenSSL engine.
 */
class RouterTlsTest {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();

  @TempDir static Path dir;
  static Vertx vertx;
  static TandemRouter router;
  static TestCertificates.Issued ca;
  static TestCertificates.Issued server;
  static TestCertificates.Issued client;
  static TestCertificates.Issued expiredClient;
  static TestCertificates.Issued otherCa;
  static final java.util.List<io.vertx.core.http.HttpClient> clients = new java.util.ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    ca = TestCertificates.authority(dir, "test-ca");
    otherCa = TestCertificates.authority(dir, "other-ca");
    server = TestCertificates.leaf(dir, "server", ca, -1, 30);
    client = TestCertificates.leaf(dir, "client", ca, -1, 30);
    expiredClient = TestCertificates.leaf(dir, "expired-client", ca, -30, -1);
    Path file = dir.resolve("tandem.yaml");
    Files.writeString(
        file,
        "server: {port: 0}\n"
            + "reload: {watch: false}\n"
            + "admin: {require_client_cert: true}\n"
            + "tls: {cert: "
            + server.certFile()
            + ", key: "
            + server.keyFile()
            + ", client_ca: "
            + ca.certFile()
            + "}\n");
    vertx = ServingVertx.create();
    router =
        TandemRouter.start(
            vertx,
            new FileConfigSource(vertx, HOME, Optional.of(file), new JsonObject()),
            RouterMetrics.enabled(RouterMetrics.newRegistry()),
            line -> {});
  }

  @AfterEach
  void closeClients() {
    clients.forEach(c -> c.close().toCompletionStage().toCompletableFuture().join());
    clients.clear();
  }

  @AfterAll
  static void stop() {
    router.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void theOpenSslEngineIsInUse() {
    assertEquals("openssl", Tls.engineName());
  }

  @Test
  void grpcJavaStreamsOverTls() throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", router.port())
            .sslContext(GrpcSslContexts.forClient().trustManager(ca.certFile().toFile()).build())
            .overrideAuthority("localhost")
            .directExecutor()
            .build();
    try {
      Iterator<GenerateChunk> chunks =
          GenerationGrpc.newBlockingStub(channel)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .generate(
                  GenerateRequest.newBuilder().setPrompt("def f(x):").setMaxTokens(12).build());
      int tokens = 0;
      while (chunks.hasNext()) {
        tokens = Math.max(tokens, chunks.next().getSummary().getUsage().getCompletionTokens());
      }
      assertEquals(12, tokens);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void sseStreamsOverHttps() throws Exception {
    Buffer body =
        await(
            client(trusting(ca))
                .request(
                    new RequestOptions()
                        .setMethod(HttpMethod.POST)
                        .setHost("localhost")
                        .setPort(router.port())
                        .setURI("/v1/completions")
                        .putHeader("content-type", "application/json"))
                .compose(
                    request ->
                        request.send(
                            new JsonObject()
                                .put("prompt", "def f(x):")
                                .put("max_tokens", 8)
                                .put("stream", true)
                                .encode()))
                .compose(HttpClientResponse::body));
    assertTrue(body.toString().trim().endsWith("data: [DONE]"), body.toString());
  }

  @Test
  void plaintextToTheTlsPortFailsCleanly() throws Exception {
    assertThrows(
        ExecutionException.class, () -> get(client(new HttpClientOptions()), "/health/live"));
    assertEquals(200, get(client(trusting(ca)), "/health/live").statusCode(), "still serving TLS");
  }

  @Test
  void aServerCertificateFromAnotherCaIsRefused() {
    ExecutionException e =
        assertThrows(
            ExecutionException.class, () -> get(client(trusting(otherCa)), "/health/live"));
    assertTrue(hasCause(e, SSLException.class), e.toString());
  }

  @Test
  void adminEndpointsNeedATrustedUnexpiredClientCertificate() throws Exception {
    assertEquals(403, get(client(trusting(ca)), "/admin/config").statusCode());
    assertEquals(
        200,
        get(client(trusting(ca).setKeyCertOptions(keyCert(client))), "/admin/config").statusCode());
    ExecutionException expired =
        assertThrows(
            ExecutionException.class,
            () ->
                get(
                    client(trusting(ca).setKeyCertOptions(keyCert(expiredClient))),
                    "/admin/config"));
    assertTrue(
        hasCause(expired, SSLException.class) || expired.getCause() != null, expired.toString());
  }

  @Test
  void certificatesReloadForNewConnections() throws Exception {
    TestCertificates.Issued renewed = TestCertificates.leaf(dir, "renewed", ca, -1, 60);
    Files.copy(
        renewed.certFile(), server.certFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        renewed.keyFile(), server.keyFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    HttpClientResponse reload =
        await(
            client(trusting(ca).setKeyCertOptions(keyCert(client)))
                .request(HttpMethod.POST, router.port(), "localhost", "/admin/reload")
                .compose(r -> r.send()));
    assertEquals(200, reload.statusCode());
    var response = get(client(trusting(ca)), "/health/live");
    X509Certificate presented =
        (X509Certificate) response.request().connection().peerCertificates().get(0);
    assertEquals(renewed.certificate().getSerialNumber(), presented.getSerialNumber());
  }

  // ---- helpers ----

  static HttpClientOptions trusting(TestCertificates.Issued authority) {
    return new HttpClientOptions()
        .setSsl(true)
        .setUseAlpn(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(authority.certFile().toString()));
  }

  static PemKeyCertOptions keyCert(TestCertificates.Issued issued) {
    return new PemKeyCertOptions()
        .setCertPath(issued.certFile().toString())
        .setKeyPath(issued.keyFile().toString());
  }

  /**
   * A fresh client per call: every call opens its own connection and handshake. Each is held until
   * the test ends: Vert.x closes a client nothing references any more (a {@code Cleaner}), and a
   * garbage collection between a request and its answer failed the request with "Pool closed".
   */
  static io.vertx.core.http.HttpClient client(HttpClientOptions options) {
    io.vertx.core.http.HttpClient client =
        vertx.createHttpClient(options.setConnectTimeout(10_000));
    clients.add(client);
    return client;
  }

  static HttpClientResponse get(io.vertx.core.http.HttpClient http, String path) throws Exception {
    return await(
        http.request(HttpMethod.GET, router.port(), "localhost", path)
            .compose(r -> r.send())
            .compose(r -> r.body().map(b -> r)));
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
