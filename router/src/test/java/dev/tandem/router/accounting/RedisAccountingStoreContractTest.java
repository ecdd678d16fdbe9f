package dev.tandem.router.accounting;

import dev.tandem.router.config.TandemConfig.RedisFailurePolicy;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.router.redis.RedisConnection;
import dev.tandem.router.redis.RedisServerProcess;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The accounting store contract on Redis: one real redis-server, a fresh key prefix per store. */
class RedisAccountingStoreContractTest extends AccountingStoreContract {

  static Vertx vertx;
  static RedisServerProcess server;
  static RedisConnection redis;
  static final List<RedisAccountingStore> stores = new ArrayList<>();
  static int prefixes;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    server = RedisServerProcess.start();
    redis =
        RedisConnection.open(
            vertx,
            server.config(Duration.ofSeconds(5), RedisFailurePolicy.FAIL_CLOSED),
            Optional.empty(),
            RouterMetrics.newRegistry());
  }

  @AfterAll
  static void stop() {
    stores.forEach(RedisAccountingStore::close);
    redis.close();
    server.close();
    vertx.close().await();
  }

  @Override
  AccountingStore newStore() {
    var config = server.config(Duration.ofSeconds(5), RedisFailurePolicy.FAIL_CLOSED);
    var prefixed =
        new dev.tandem.router.config.TandemConfig.Redis(
            config.mode(),
            config.endpoints(),
            config.masterName(),
            config.passwordEnv(),
            config.tlsCa(),
            config.timeout(),
            config.onFailure(),
            "contract" + ++prefixes,
            config.reservationLease(),
            config.probeInterval(),
            config.usageRetentionDays(),
            config.maxPoolSize());
    RedisAccountingStore store =
        new RedisAccountingStore(
            vertx, redis, prefixed, Clock.systemUTC(), RouterMetrics.newRegistry());
    stores.add(store);
    return store;
  }

  @Override
  int inFlight(AccountingStore store, String tenant) {
    return await(((RedisAccountingStore) store).inFlight(tenant));
  }
}
