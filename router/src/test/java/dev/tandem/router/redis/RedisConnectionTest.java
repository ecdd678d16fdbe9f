package dev.tandem.router.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.Eventually;
import dev.tandem.router.config.TandemConfig.RedisFailurePolicy;
import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.metrics.RouterMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shared Redis client against a real redis-server: answers, outages, stalls, recovery. */
class RedisConnectionTest {

  static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  static <T> T await(Future<T> f) {
    return f.toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  static Throwable failure(Future<?> f) {
    try {
      await(f);
    } catch (CompletionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  /** Whether {@code f} succeeds (waiting at most 10 s for it). */
  static boolean answers(Future<?> f) {
    try {
      await(f);
      return true;
    } catch (CompletionException e) {
      return false;
    }
  }

  @Test
  void aKilledServerIsReportedOnceAndTheClientRecoversWhenItReturns() {
    MeterRegistry registry = RouterMetrics.newRegistry();
    try (RedisServerProcess server = RedisServerProcess.start();
        RedisConnection redis =
            RedisConnection.open(
                vertx,
                server.config(Duration.ofMillis(500), RedisFailurePolicy.FAIL_CLOSED),
                Optional.empty(),
                registry)) {
      await(redis.send(Request.cmd(Command.SET).arg("k").arg("v")));
      assertEquals("v", await(redis.send(Request.cmd(Command.GET).arg("k"))).toString());
      assertEquals(1.0, registry.get("tandem.redis.up").gauge().value());

      server.kill();
      Throwable down = failure(redis.send(Request.cmd(Command.GET).arg("k")));
      RedisUnavailableException e = assertInstanceOf(RedisUnavailableException.class, down);
      assertEquals(ErrorKind.UNAVAILABLE, e.kind());
      assertEquals(0.0, registry.get("tandem.redis.up").gauge().value());
      // While down, commands fail at once and are counted; nothing is sent.
      long sent = redis.commandsSent();
      assertInstanceOf(
          RedisUnavailableException.class, failure(redis.send(Request.cmd(Command.GET).arg("k"))));
      assertTrue(redis.commandsSent() - sent <= 1, "at most a probe went out");
      assertTrue(registry.get("tandem.redis.errors").tag("op", "get").counter().count() >= 2);

      server.restart(); // same port, same append-only file
      Eventually.until(
          () -> redis.health().isUp(), Duration.ofSeconds(10), "the probe to see Redis");
      assertEquals("v", await(redis.send(Request.cmd(Command.GET).arg("k"))).toString());
      assertEquals(1.0, registry.get("tandem.redis.up").gauge().value());
    }
  }

  @Test
  void aStalledServerCostsACommandNoMoreThanTheTimeout() {
    try (RedisServerProcess server = RedisServerProcess.start();
        RedisConnection redis =
            RedisConnection.open(
                vertx,
                server.config(Duration.ofMillis(300), RedisFailurePolicy.FAIL_CLOSED),
                Optional.empty(),
                RouterMetrics.newRegistry())) {
      await(redis.send(Request.cmd(Command.PING)));
      server.pause();
      try {
        // The server stays frozen until the failure is seen: only the timeout can end the wait.
        Throwable slow = failure(redis.send(Request.cmd(Command.INCR).arg("n")));
        assertInstanceOf(RedisUnavailableException.class, slow);
        assertTrue(slow.getMessage().contains("within 300 ms"), slow.getMessage());
        assertTrue(!redis.health().isUp());
      } finally {
        server.resume();
      }
      Eventually.until(() -> redis.health().isUp(), Duration.ofSeconds(10), "recovery");
      Eventually.until(
          () -> answers(redis.send(Request.cmd(Command.INCR).arg("n"))),
          Duration.ofSeconds(10),
          "commands answered again");
    }
  }

  @Test
  void scriptsRunBySha1AfterTheFirstTimeAndAPasswordIsSent() {
    try (RedisServerProcess server = RedisServerProcess.start("--requirepass", "s3cret");
        RedisConnection redis =
            RedisConnection.open(
                vertx,
                server.config(Duration.ofSeconds(5), RedisFailurePolicy.FAIL_CLOSED),
                Optional.of("s3cret"),
                RouterMetrics.newRegistry())) {
      RedisScript add = new RedisScript("add", "return redis.call('INCRBY', KEYS[1], ARGV[1])");
      assertEquals(5L, await(add.run(redis, List.of("{t}:n"), List.of("5"))).toLong());
      long before = redis.commandsSent();
      assertEquals(12L, await(add.run(redis, List.of("{t}:n"), List.of("7"))).toLong());
      assertEquals(1, redis.commandsSent() - before, "known script: one EVALSHA round trip");
    }
    try (RedisServerProcess server = RedisServerProcess.start("--requirepass", "s3cret");
        RedisConnection anonymous =
            RedisConnection.open(
                vertx,
                server.config(Duration.ofSeconds(5), RedisFailurePolicy.FAIL_CLOSED),
                Optional.empty(),
                RouterMetrics.newRegistry())) {
      Throwable refused = failure(anonymous.send(Request.cmd(Command.PING)));
      assertTrue(String.valueOf(refused.getMessage()).contains("NOAUTH"), refused.toString());
    }
  }
}
