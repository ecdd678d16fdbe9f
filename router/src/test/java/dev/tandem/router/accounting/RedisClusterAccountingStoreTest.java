package dev.tandem.router.accounting;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.router.redis.RedisClusterProcess;
import dev.tandem.router.redis.RedisConnection;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The accounting store contract on a three-node Redis Cluster: each tenant's keys share one hash
 * slot (its hash tag), so every script runs on one node, and tenants spread over the nodes.
 */
class RedisClusterAccountingStoreTest extends AccountingStoreContract {

  static Vertx vertx;
  static RedisClusterProcess cluster;
  static RedisConnection redis;
  static final List<RedisAccountingStore> stores = new ArrayList<>();
  static int prefixes;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    cluster = RedisClusterProcess.start();
    redis =
        RedisConnection.open(
            vertx,
            cluster.config(Duration.ofSeconds(5), "cluster"),
            Optional.empty(),
            RouterMetrics.newRegistry());
  }

  @AfterAll
  static void stop() {
    stores.forEach(RedisAccountingStore::close);
    redis.close();
    cluster.close();
    vertx.close().await();
  }

  @Override
  AccountingStore newStore() {
    RedisAccountingStore store =
        new RedisAccountingStore(
            vertx,
            redis,
            cluster.config(Duration.ofSeconds(5), "cluster" + ++prefixes),
            Clock.systemUTC(),
            RouterMetrics.newRegistry());
    stores.add(store);
    return store;
  }

  @Override
  int inFlight(AccountingStore store, String tenant) {
    return await(((RedisAccountingStore) store).inFlight(tenant));
  }

  @Test
  void tenantsSpreadOverTheNodes() {
    AccountingStore store = newStore();
    for (int t = 0; t < 24; t++) {
      Tenant tenant = new Tenant("tenant-" + t, TenantLimits.UNLIMITED, Map.of(), null, null);
      charge(store, tenant, NOON, 10, "large", Map.of());
    }
    List<Long> keys = cluster.keysPerNode();
    assertTrue(keys.stream().allMatch(k -> k > 0), "keys per node " + keys);
  }
}
