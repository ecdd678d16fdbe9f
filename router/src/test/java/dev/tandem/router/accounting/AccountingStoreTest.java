package dev.tandem.router.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Reserve-then-settle against quotas and budgets, raced from many threads. */
class AccountingStoreTest {

  static final Instant NOON = Instant.parse("2026-12-02T12:00:30Z");
  static final long WORST = 1_000_000; // 0.001 USD worst case per request

  static Tenant tenant(TenantLimits limits) {
    return new Tenant("acme", limits, Map.of("team", "search"), null, null);
  }

  static TenantLimits dailyBudget(long nanos, Double... thresholds) {
    return new TenantLimits(0, 0, 0, nanos, 0, List.of(thresholds));
  }

  static <T> T await(Future<T> future) {
    return future.toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void fiveHundredConcurrentRequestsNeverOverspendABudgetThatFitsOneHundred() throws Exception {
    InMemoryAccountingStore store = new InMemoryAccountingStore();
    Tenant acme = tenant(dailyBudget(100 * WORST));
    int requests = 500;
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicLong charged = new AtomicLong();
    List<java.util.concurrent.Future<?>> done = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      long seed = i;
      done.add(
          pool.submit(
              () -> {
                go.await();
                Future<Reservation> held =
                    store.reserve(new ReservationRequest(acme, WORST, 100, NOON));
                if (held.failed()) {
                  QuotaExceededException e =
                      assertInstanceOf(QuotaExceededException.class, held.cause());
                  assertEquals("daily_budget_usd", e.param());
                  refused.incrementAndGet();
                  return null;
                }
                accepted.incrementAndGet();
                // Actual cost between a third of the worst case and all of it; some settle twice.
                long actual =
                    WORST / 3 + new SplittableRandom(seed).nextLong(WORST - WORST / 3 + 1);
                charged.addAndGet(actual);
                await(store.settle(held.result(), new Charge(actual, 60, "large", Map.of())));
                if (seed % 7 == 0) {
                  await(store.settle(held.result(), new Charge(actual, 60, "large", Map.of())));
                }
                return null;
              }));
    }
    go.countDown();
    for (var f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    long committed = store.committedNanos("acme", "2026-12-02");
    assertEquals(requests, accepted.get() + refused.get());
    assertTrue(committed <= 100 * WORST, "committed " + committed + " > budget");
    assertEquals(charged.get(), committed, "every accepted request billed exactly once");
    assertTrue(accepted.get() >= 100, "cheaper actual costs free budget: " + accepted.get());
    assertTrue(refused.get() > 0);
    assertEquals(0, await(store.reservedNanos("acme")), "no reservation leaked");
    assertEquals(0, store.inFlight("acme"));
  }

  @Test
  void withNothingSettledExactlyTheBudgetsWorthIsHeld() throws Exception {
    InMemoryAccountingStore store = new InMemoryAccountingStore();
    Tenant acme = tenant(dailyBudget(100 * WORST));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<java.util.concurrent.Future<Future<Reservation>>> results = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      results.add(
          pool.submit(
              () -> {
                go.await();
                return store.reserve(new ReservationRequest(acme, WORST, 1, NOON));
              }));
    }
    go.countDown();
    List<Reservation> held = new ArrayList<>();
    for (var r : results) {
      Future<Reservation> f = r.get(60, TimeUnit.SECONDS);
      if (f.succeeded()) {
        held.add(f.result());
      }
    }
    pool.shutdown();
    assertEquals(100, held.size());
    assertEquals(100 * WORST, await(store.reservedNanos("acme")));
    for (Reservation r : held) {
      await(store.settle(r, Charge.nothing("large", Map.of())));
    }
    assertEquals(0, await(store.reservedNanos("acme")));
    assertEquals(0, store.committedNanos("acme", "2026-12"));
  }

  @Test
  void quotasRefuseWithTheLimitAndWhenToRetry() {
    InMemoryAccountingStore store = new InMemoryAccountingStore();
    Tenant perMinute = tenant(new TenantLimits(2, 0, 0, 0, 0, List.of()));
    store.reserve(new ReservationRequest(perMinute, 0, 1, NOON));
    store.reserve(new ReservationRequest(perMinute, 0, 1, NOON));
    var rpm = refusal(store.reserve(new ReservationRequest(perMinute, 0, 1, NOON)));
    assertEquals("requests_per_minute", rpm.param());
    assertEquals(30, rpm.retryAfterSeconds()); // 12:00:30 → 12:01:00
    // The next minute is a new window.
    assertTrue(
        store.reserve(new ReservationRequest(perMinute, 0, 1, NOON.plusSeconds(30))).succeeded());

    InMemoryAccountingStore tokens = new InMemoryAccountingStore();
    Tenant tpm = tenant(new TenantLimits(0, 100, 0, 0, 0, List.of()));
    Reservation r = await(tokens.reserve(new ReservationRequest(tpm, 0, 80, NOON)));
    var tooMany = refusal(tokens.reserve(new ReservationRequest(tpm, 0, 30, NOON)));
    assertEquals("tokens_per_minute", tooMany.param());
    // Settling with fewer tokens than reserved gives the rest back to the window.
    await(tokens.settle(r, new Charge(0, 50, "small", Map.of())));
    assertTrue(tokens.reserve(new ReservationRequest(tpm, 0, 30, NOON)).succeeded());

    InMemoryAccountingStore streams = new InMemoryAccountingStore();
    Tenant one = tenant(new TenantLimits(0, 0, 1, 0, 0, List.of()));
    Reservation first = await(streams.reserve(new ReservationRequest(one, 0, 1, NOON)));
    var busy = refusal(streams.reserve(new ReservationRequest(one, 0, 1, NOON)));
    assertEquals("concurrent_streams", busy.param());
    assertEquals(1, busy.retryAfterSeconds());
    await(streams.settle(first, Charge.nothing("", Map.of())));
    assertTrue(streams.reserve(new ReservationRequest(one, 0, 1, NOON)).succeeded());

    InMemoryAccountingStore daily = new InMemoryAccountingStore();
    var budget =
        refusal(daily.reserve(new ReservationRequest(tenant(dailyBudget(10)), 11, 1, NOON)));
    assertEquals("daily_budget_usd", budget.param());
    assertEquals(12 * 3600 - 30, budget.retryAfterSeconds()); // until midnight UTC
    assertTrue(budget.getMessage().contains("does not fit the daily budget"), budget.getMessage());
  }

  @Test
  void eachAlertThresholdIsCrossedByExactlyOneSettlement() {
    InMemoryAccountingStore store = new InMemoryAccountingStore();
    TenantLimits limits = dailyBudget(100, 0.5, 0.8, 1.0);
    Tenant acme = tenant(limits);
    List<BudgetAlert> alerts = new ArrayList<>();
    for (long cost : new long[] {30, 30, 10, 15, 15}) {
      Reservation r = await(store.reserve(new ReservationRequest(acme, cost, 1, NOON)));
      Settlement s = await(store.settle(r, new Charge(cost, 1, "large", Map.of())));
      alerts.addAll(BudgetAlert.crossed(s, limits));
    }
    assertEquals(List.of(0.5, 0.8, 1.0), alerts.stream().map(BudgetAlert::threshold).toList());
    assertEquals(List.of(60L, 85L, 100L), alerts.stream().map(BudgetAlert::spentNanos).toList());
  }

  @Test
  void usageGroupsCommittedSpendByTierTagOrTenantPerDayOrMonth() {
    InMemoryAccountingStore store = new InMemoryAccountingStore();
    Tenant acme = tenant(TenantLimits.UNLIMITED);
    Tenant other = new Tenant("other", TenantLimits.UNLIMITED, Map.of(), null, null);
    charge(store, acme, NOON, 100, "large", Map.of("team", "search"));
    charge(store, acme, NOON, 40, "small", Map.of("team", "search"));
    charge(store, acme, NOON.plusSeconds(86_400), 7, "small", Map.of("team", "ads"));
    charge(store, other, NOON, 1000, "large", Map.of());

    assertEquals(
        List.of(new UsageRow("large", 100, 1, 10), new UsageRow("small", 40, 1, 10)),
        await(store.usage(new UsageQuery("acme", "2026-12-02", "tier"))));
    assertEquals(
        List.of(new UsageRow("ads", 7, 1, 10), new UsageRow("search", 140, 2, 20)),
        await(store.usage(new UsageQuery("acme", "2026-12", "team"))));
    assertEquals(
        List.of(new UsageRow("acme", 147, 3, 30), new UsageRow("other", 1000, 1, 10)),
        await(store.usage(new UsageQuery(null, "2026-12", "tenant"))));
    var bad =
        assertThrows(IllegalArgumentException.class, () -> new UsageQuery(null, "12/2026", "tier"));
    assertTrue(bad.getMessage().startsWith("period must be a UTC day yyyy-MM-dd or month yyyy-MM"));
  }

  @Test
  void aChargeAboveTheReservationIsCappedAtIt() {
    InMemoryAccountingStore store = new InMemoryAccountingStore();
    Tenant acme = tenant(dailyBudget(1000));
    Reservation r = await(store.reserve(new ReservationRequest(acme, 100, 1, NOON)));
    await(store.settle(r, new Charge(150, 1, "large", Map.of())));
    assertEquals(100, store.committedNanos("acme", "2026-12-02"));
    assertEquals(0, await(store.reservedNanos("acme")));
  }

  @Test
  void apiKeysAreCheckedByTheirHashAndNeverNamed() {
    Tenant acme = tenant(TenantLimits.UNLIMITED);
    ApiKeys keys = new ApiKeys(Map.of(ApiKeys.sha256("sk-acme-1"), acme));
    assertEquals(acme, keys.authenticate("sk-acme-1"));
    var unknown =
        assertThrows(
            dev.tandem.router.errors.TandemException.class, () -> keys.authenticate("sk-guess"));
    assertEquals(dev.tandem.router.errors.ErrorKind.UNAUTHENTICATED, unknown.kind());
    assertTrue(!unknown.getMessage().contains("acme"));
    var missing =
        assertThrows(dev.tandem.router.errors.TandemException.class, () -> keys.authenticate(null));
    assertEquals(dev.tandem.router.errors.ErrorKind.UNAUTHENTICATED, missing.kind());
    assertEquals(Tenant.ANONYMOUS, ApiKeys.anonymous().authenticate(null));
    assertEquals(
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        ApiKeys.sha256("hello"));
    assertThrows(IllegalArgumentException.class, () -> new ApiKeys(Map.of("sk-plain", acme)));
  }

  private static void charge(
      InMemoryAccountingStore store,
      Tenant tenant,
      Instant at,
      long cost,
      String tier,
      Map<String, String> tags) {
    Reservation r = await(store.reserve(new ReservationRequest(tenant, cost, 10, at)));
    await(store.settle(r, new Charge(cost, 10, tier, tags)));
  }

  private static QuotaExceededException refusal(Future<?> future) {
    assertTrue(future.failed(), "expected a refusal");
    return assertInstanceOf(QuotaExceededException.class, future.cause());
  }
}
