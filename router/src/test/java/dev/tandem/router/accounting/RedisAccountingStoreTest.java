package dev.tandem.router.accounting;

import static dev.tandem.router.accounting.AccountingStoreContract.NOON;
import static dev.tandem.router.accounting.AccountingStoreContract.WORST;
import static dev.tandem.router.accounting.AccountingStoreContract.await;
import static dev.tandem.router.accounting.AccountingStoreContract.committedNanos;
import static dev.tandem.router.accounting.AccountingStoreContract.refusal;
import static dev.tandem.router.accounting.AccountingStoreContract.settled;
import static dev.tandem.router.accounting.AccountingStoreContract.tenant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.Eventually;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.config.TandemConfig.RedisFailurePolicy;
import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.ErrorMapping;
import dev.tandem.router.errors.TandemException;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.router.redis.RedisConnection;
import dev.tandem.router.redis.RedisServerProcess;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What only a shared store has to show: two routers on one Redis, routers that die, restart or lose
 * Redis, and a Redis that stalls. Each router here is a store with its own client.
 */
class RedisAccountingStoreTest {

  static final Duration LEASE = Duration.ofSeconds(5);
  static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  /** One router's view of the shared state: its own Redis client and store. */
  record Router(RedisConnection redis, RedisAccountingStore store, MeterRegistry registry)
      implements AutoCloseable {
    @Override
    public void close() {
      store.close();
      redis.close();
    }

    double gauge(String name) {
      return registry.get(name).gauge().value();
    }

    double counter(String name) {
      return registry.get(name).counter().count();
    }
  }

  static Router router(
      RedisServerProcess server, Duration timeout, RedisFailurePolicy policy, Clock clock) {
    TandemConfig.Redis c = server.config(timeout, policy);
    TandemConfig.Redis config =
        new TandemConfig.Redis(
            c.mode(),
            c.endpoints(),
            c.masterName(),
            c.passwordEnv(),
            c.tlsCa(),
            c.timeout(),
            c.onFailure(),
            c.keyPrefix(),
            LEASE,
            c.probeInterval(),
            c.usageRetentionDays(),
            c.maxPoolSize());
    MeterRegistry registry = RouterMetrics.newRegistry();
    RedisConnection redis = RedisConnection.open(vertx, config, Optional.empty(), registry);
    return new Router(
        redis, new RedisAccountingStore(vertx, redis, config, clock, registry), registry);
  }

  static Router router(RedisServerProcess server, Clock clock) {
    return router(server, Duration.ofSeconds(5), RedisFailurePolicy.FAIL_CLOSED, clock);
  }

  static Reservation reserve(AccountingStore store, Tenant tenant, long cost) {
    return await(store.reserve(new ReservationRequest(tenant, cost, 10, NOON)));
  }

  static Charge charge(long cost) {
    return new Charge(cost, 10, "large", Map.of());
  }

  @Test
  void twoRoutersOnOneRedisNeverOverspendABudgetNorExceedAStreamLimit() throws Exception {
    try (RedisServerProcess server = RedisServerProcess.start();
        Router a = router(server, Clock.systemUTC());
        Router b = router(server, Clock.systemUTC())) {
      Tenant acme = tenant(new TenantLimits(0, 0, 0, 100 * WORST, 0, List.of()));
      ExecutorService pool = Executors.newFixedThreadPool(16);
      CountDownLatch go = new CountDownLatch(1);
      AtomicInteger accepted = new AtomicInteger();
      AtomicLong charged = new AtomicLong();
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        int n = i;
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  // Odd requests reserve on router a, even ones on b; each settles on the other
                  // router half the time, and every 7th settles twice (once on each).
                  RedisAccountingStore reserver = (n % 2 == 0 ? a : b).store();
                  RedisAccountingStore settler = (n % 4 < 2 ? a : b).store();
                  Future<Reservation> held =
                      settled(reserver.reserve(new ReservationRequest(acme, WORST, 100, NOON)));
                  if (held.failed()) {
                    assertEquals(
                        "daily_budget_usd",
                        assertInstanceOf(QuotaExceededException.class, held.cause()).param());
                    return null;
                  }
                  accepted.incrementAndGet();
                  long actual = WORST / 3 + new SplittableRandom(n).nextLong(WORST - WORST / 3 + 1);
                  charged.addAndGet(actual);
                  await(settler.settle(held.result(), charge(actual)));
                  if (n % 7 == 0) {
                    await(reserver.settle(held.result(), charge(actual)));
                  }
                  return null;
                }));
      }
      go.countDown();
      for (var f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      long committed = committedNanos(a.store(), "acme", AccountingStoreContract.DAY);
      assertTrue(committed <= 100 * WORST, "committed " + committed + " > budget");
      assertEquals(charged.get(), committed, "every accepted request billed exactly once");
      assertTrue(accepted.get() >= 100 && accepted.get() < 500, "accepted " + accepted.get());
      assertEquals(0, await(b.store().reservedNanos("acme")));
      assertEquals(0, await(a.store().inFlight("acme")));

      // 200 concurrent streams against a limit of 7, half through each router: exactly 7 run.
      Tenant seven =
          new Tenant("seven", new TenantLimits(0, 0, 7, 0, 0, List.of()), Map.of(), null, null);
      List<java.util.concurrent.Future<Future<Reservation>>> streams = new ArrayList<>();
      CountDownLatch go2 = new CountDownLatch(1);
      for (int i = 0; i < 200; i++) {
        RedisAccountingStore store = (i % 2 == 0 ? a : b).store();
        streams.add(
            pool.submit(
                () -> {
                  go2.await();
                  return settled(store.reserve(new ReservationRequest(seven, 0, 1, NOON)));
                }));
      }
      go2.countDown();
      List<Reservation> running = new ArrayList<>();
      for (var s : streams) {
        Future<Reservation> f = s.get(60, TimeUnit.SECONDS);
        if (f.succeeded()) {
          running.add(f.result());
        } else {
          assertEquals(
              "concurrent_streams",
              assertInstanceOf(QuotaExceededException.class, f.cause()).param());
        }
      }
      pool.shutdown();
      assertEquals(7, running.size());
      assertEquals(7, await(b.store().inFlight("seven")));
      for (Reservation r : running) {
        await(a.store().settle(r, Charge.nothing("large", Map.of())));
      }
      assertEquals(0, await(b.store().inFlight("seven")));
    }
  }

  @Test
  void aDeadRoutersReservationsComeBackWhenTheirLeaseLapses() {
    MutableClock clock = new MutableClock(NOON);
    try (RedisServerProcess server = RedisServerProcess.start();
        Router survivor = router(server, clock)) {
      Tenant acme = tenant(new TenantLimits(0, 0, 2, 10 * WORST, 0, List.of()));
      Router dead = router(server, clock);
      Reservation first = reserve(dead.store(), acme, 4 * WORST);
      reserve(dead.store(), acme, 4 * WORST);
      assertEquals(
          "concurrent_streams",
          refusal(survivor.store().reserve(new ReservationRequest(acme, WORST, 10, NOON))).param());
      dead.close(); // stops renewing: its reservations outlive it by one lease

      clock.advance(LEASE.minusMillis(1));
      assertEquals(2, await(survivor.store().inFlight("acme")), "not lapsed yet");
      clock.advance(Duration.ofMillis(2));
      assertEquals(0, await(survivor.store().inFlight("acme")), "the stream slots came back");
      assertEquals(0, await(survivor.store().reservedNanos("acme")), "the held cost came back");
      Reservation fresh = reserve(survivor.store(), acme, 8 * WORST); // fits again

      // The dead router was only cut off: its late settle still commits what it spent, once.
      await(survivor.store().settle(first, charge(WORST)));
      await(survivor.store().settle(first, charge(WORST)));
      assertEquals(WORST, committedNanos(survivor.store(), "acme", AccountingStoreContract.DAY));
      await(survivor.store().settle(fresh, charge(2 * WORST)));
      assertEquals(
          3 * WORST, committedNanos(survivor.store(), "acme", AccountingStoreContract.DAY));
      assertEquals(0, await(survivor.store().reservedNanos("acme")));
    }
  }

  @Test
  void aLiveRouterKeepsItsLongStreamsPastTheLease() {
    MutableClock clock = new MutableClock(NOON);
    try (RedisServerProcess server = RedisServerProcess.start();
        Router live = router(server, clock);
        Router other = router(server, clock)) {
      Tenant acme = tenant(new TenantLimits(0, 0, 1, 0, 0, List.of()));
      Reservation running = reserve(live.store(), acme, WORST);
      for (int i = 0; i < 3; i++) { // three leases long, renewed by the live router each time
        clock.advance(LEASE.dividedBy(2));
        AtomicInteger renewed = new AtomicInteger();
        live.store().renewLeases().onSuccess(v -> renewed.incrementAndGet());
        Eventually.until(() -> renewed.get() == 1, Duration.ofSeconds(10), "the renewal");
        assertEquals(1, await(other.store().inFlight("acme")), "still running");
      }
      await(other.store().settle(running, charge(WORST)));
      assertEquals(0, await(other.store().inFlight("acme")));
    }
  }

  @Test
  void aRouterRestartLosesNoCommittedSpend() {
    try (RedisServerProcess server = RedisServerProcess.start()) {
      Tenant acme = tenant(new TenantLimits(0, 0, 0, 10 * WORST, 0, List.of()));
      try (Router before = router(server, Clock.systemUTC())) {
        for (int i = 0; i < 3; i++) {
          Reservation r = reserve(before.store(), acme, 3 * WORST);
          await(before.store().settle(r, charge(3 * WORST)));
        }
      }
      try (Router after = router(server, Clock.systemUTC())) {
        assertEquals(9 * WORST, committedNanos(after.store(), "acme", AccountingStoreContract.DAY));
        var full = refusal(after.store().reserve(new ReservationRequest(acme, 2 * WORST, 1, NOON)));
        assertEquals("daily_budget_usd", full.param());
        reserve(after.store(), acme, WORST); // exactly what is left
      }
    }
  }

  @Test
  void redisKilledMidRunFailClosedRefusesWith503AndCatchesUpWhenBack() {
    try (RedisServerProcess server = RedisServerProcess.start();
        Router router =
            router(
                server,
                Duration.ofMillis(500),
                RedisFailurePolicy.FAIL_CLOSED,
                Clock.systemUTC())) {
      Tenant acme = tenant(new TenantLimits(0, 0, 0, 100 * WORST, 0, List.of()));
      await(router.store().settle(reserve(router.store(), acme, WORST), charge(WORST)));
      Reservation running = reserve(router.store(), acme, 2 * WORST);

      server.kill();
      Future<Settlement> lost = settled(router.store().settle(running, charge(2 * WORST)));
      assertTrue(lost.failed());
      assertEquals(1, router.store().pendingSettlements(), "kept for when Redis answers");
      Future<Reservation> refused =
          settled(router.store().reserve(new ReservationRequest(acme, WORST, 1, NOON)));
      TandemException e = assertInstanceOf(TandemException.class, refused.cause());
      assertFalse(e instanceof QuotaExceededException);
      assertEquals(ErrorKind.UNAVAILABLE, e.kind());
      assertEquals(503, ErrorMapping.httpStatus(e.kind()));
      assertTrue(e.getMessage().contains("fail_closed"), e.getMessage());
      assertEquals(0.0, router.gauge("tandem.redis.up"));

      server.restart(); // its append-only file has everything acknowledged before the kill
      Eventually.until(
          () -> router.store().pendingSettlements() == 0,
          Duration.ofSeconds(20),
          "the kept settlement to reach Redis once it answers");
      assertEquals(1.0, router.gauge("tandem.redis.up"));
      assertEquals(3 * WORST, committedNanos(router.store(), "acme", AccountingStoreContract.DAY));
      assertEquals(0, await(router.store().reservedNanos("acme")));
      reserve(router.store(), acme, WORST);
    }
  }

  @Test
  void redisKilledMidRunFailOpenServesUncheckedAndCommitsOnceWhenBack() {
    try (RedisServerProcess server = RedisServerProcess.start();
        Router router =
            router(
                server, Duration.ofMillis(500), RedisFailurePolicy.FAIL_OPEN, Clock.systemUTC())) {
      Tenant acme = tenant(new TenantLimits(0, 0, 0, 100 * WORST, 0, List.of()));
      await(router.store().settle(reserve(router.store(), acme, WORST), charge(WORST)));

      server.kill();
      Reservation unchecked = reserve(router.store(), acme, 5 * WORST);
      assertEquals(1.0, router.counter("tandem.budget.unchecked"));
      assertTrue(settled(router.store().settle(unchecked, charge(4 * WORST))).failed());
      assertEquals(0.0, router.gauge("tandem.redis.up"));

      server.restart();
      Eventually.until(
          () -> router.store().pendingSettlements() == 0,
          Duration.ofSeconds(20),
          "the unchecked request's spend to be committed");
      assertEquals(5 * WORST, committedNanos(router.store(), "acme", AccountingStoreContract.DAY));
      await(router.store().settle(unchecked, charge(4 * WORST))); // once only
      assertEquals(5 * WORST, committedNanos(router.store(), "acme", AccountingStoreContract.DAY));
    }
  }

  @Test
  void aStalledRedisCostsAReservationNoMoreThanTheTimeout() {
    MutableClock clock = new MutableClock(NOON);
    try (RedisServerProcess server = RedisServerProcess.start();
        Router router =
            router(server, Duration.ofMillis(300), RedisFailurePolicy.FAIL_CLOSED, clock)) {
      Tenant acme = tenant(new TenantLimits(0, 0, 0, 100 * WORST, 0, List.of()));
      reserve(router.store(), acme, 0); // connected and scripts loaded
      server.pause();
      Future<Reservation> slow;
      try {
        // Frozen until the answer is seen: only the timeout can end this wait.
        slow = settled(router.store().reserve(new ReservationRequest(acme, WORST, 1, NOON)));
      } finally {
        server.resume();
      }
      TandemException e = assertInstanceOf(TandemException.class, slow.cause());
      assertEquals(ErrorKind.UNAVAILABLE, e.kind());
      assertTrue(e.getMessage().contains("within 300 ms"), e.getMessage());

      Eventually.until(
          () -> settled(router.store().reservedNanos("acme")).succeeded(),
          Duration.ofSeconds(20),
          "Redis to answer again");
      // The timed-out reservation may have run once Redis woke; nobody renews it, so it lapses.
      clock.advance(LEASE.plusMillis(1));
      assertEquals(0, await(router.store().reservedNanos("acme")));
    }
  }
}
