package dev.tandem.router.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.router.redis.RedisConnection;
import dev.tandem.router.redis.RedisServerProcess;
import dev.tandem.router.redis.RedisUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code rediss://} to a real redis-server serving TLS: its CA is trusted, another CA's is not. */
class RedisTlsTest {

  static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  static TandemConfig.Redis rediss(int port, Path ca) {
    return new TandemConfig.Redis(
        TandemConfig.RedisMode.STANDALONE,
        List.of(URI.create("rediss://localhost:" + port)),
        Optional.empty(),
        Optional.empty(),
        Optional.of(ca),
        Duration.ofSeconds(5),
        TandemConfig.RedisFailurePolicy.FAIL_CLOSED,
        "tls",
        Duration.ofSeconds(30),
        Duration.ofMillis(50),
        400,
        2);
  }

  static <T> T await(Future<T> f) {
    return f.toCompletionStage().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
  }

  @Test
  void redissTrustsTheConfiguredCaAndRefusesAServerSignedByAnother() throws Exception {
    Path dir = Files.createTempDirectory("tandem-redis-tls-");
    TestCertificates.Issued ca = TestCertificates.authority(dir, "redis-ca");
    TestCertificates.Issued leaf = TestCertificates.leaf(dir, "redis", ca, -1, 30);
    TestCertificates.Issued other = TestCertificates.authority(dir, "other-ca");
    int tlsPort = RedisServerProcess.freePort();
    try (RedisServerProcess server =
        RedisServerProcess.start(
            "--tls-port",
            Integer.toString(tlsPort),
            "--tls-cert-file",
            leaf.certFile().toString(),
            "--tls-key-file",
            leaf.keyFile().toString(),
            "--tls-ca-cert-file",
            ca.certFile().toString(),
            "--tls-auth-clients",
            "no")) {
      try (RedisConnection trusted =
          RedisConnection.open(
              vertx,
              rediss(tlsPort, ca.certFile()),
              Optional.empty(),
              RouterMetrics.newRegistry())) {
        assertEquals("PONG", await(trusted.send(Request.cmd(Command.PING))).toString());
      }
      try (RedisConnection untrusted =
          RedisConnection.open(
              vertx,
              rediss(tlsPort, other.certFile()),
              Optional.empty(),
              RouterMetrics.newRegistry())) {
        CompletionException refused =
            org.junit.jupiter.api.Assertions.assertThrows(
                CompletionException.class, () -> await(untrusted.send(Request.cmd(Command.PING))));
        assertInstanceOf(RedisUnavailableException.class, refused.getCause());
      }
    }
  }
}
