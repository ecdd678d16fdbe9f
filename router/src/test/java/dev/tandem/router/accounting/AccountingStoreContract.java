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

/**
 * What every {@link AccountingStore} must do, run against each implementation (in memory, Redis):
 * reserve-then-settle against quotas and budgets, raced from many threads.
 */
abstract class AccountingStoreContract {

  /** A store with no state yet (each call independent of the others). */
  abstract AccountingStore newStore();

  /** Streams of {@code tenant} in flight in {@code store}. */
  abstract int inFlight(AccountingStore store, String tenant);

  /** Committed spend of a tenant in a day or month, as {@link AccountingStore#usage} reports it. */
  static long committedNanos(AccountingStore store, String tenant, String period) {
    return await(store.usage(new UsageQuery(tenant, period, "tenant"))).stream()
        .mapToLong(UsageRow::costNanos)
        .sum();
  }

  /** Today at 12:00:30 UTC: windows near the real clock (a Redis store expires old ones). */
  static final Instant NOON =
      java.time.LocalDate.now(java.time.ZoneOffset.UTC)
          .atTime(12, 0, 30)
          .toInstant(java.time.ZoneOffset.UTC);

  static final String DAY = NOON.toString().substring(0, 10);
  static final String MONTH = DAY.substring(0, 7);

  /** Another day of NOON's month, whose windows have not expired. */
  static final Instant OTHER_DAY =
      NOON.atZone(java.time.ZoneOffset.UTC).getDayOfMonth() == 1
          ? NOON.plusSeconds(86_400)
          : NOON.minusSeconds(86_400);

  static final String OTHER = OTHER_DAY.toString().substring(0, 10);
  static final long WORST = 1_000_000; // 0.001 USD worst case per request

  static Tenant tenant(TenantLimits limits) {
    return new Tenant("acme", limits, Map.of("team", "search"), null, null);
  }

  static TenantLimits dailyBudget(long nanos, Double... thresholds) {
    return new TenantLimits(0, 0, 0, nanos, 0, List.of(thresholds));
  }

  static <T> T await(Future<T> future) {
    return future.toCompletionStage().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
  }

  /** The future once complete (succeeded or failed), waiting at most 30 s. */
  static <T> Future<T> settled(Future<T> future) {
    try {
      future.toCompletionStage().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
    } catch (java.util.concurrent.CompletionException e) {
      if (!future.isComplete()) {
        throw e;
      }
    }
    return future;
  }

  @Test
  void fiveHundredConcurrentRequestsNeverOverspendABudgetThatFitsOneHundred() throws Exception {
    AccountingStore store = newStore();
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
                    settled(store.reserve(new ReservationRequest(acme, WORST, 100, NOON)));
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

    long committed = committedNanos(store, "acme", DAY);
    assertEquals(requests, accepted.get() + refused.get());
    assertTrue(committed <= 100 * WORST, "committed " + committed + " > budget");
    assertEquals(charged.get(), committed, "every accepted request billed exactly once");
    assertTrue(accepted.get() >= 100, "cheaper actual costs free budget: " + accepted.get());
    assertTrue(refused.get() > 0);
    assertEquals(0, await(store.reservedNanos("acme")), "no reservation leaked");
    assertEquals(0, inFlight(store, "acme"));
  }

  @Test
  void withNothingSettledExactlyTheBudgetsWorthIsHeld() throws Exception {
    AccountingStore store = newStore();
    Tenant acme = tenant(dailyBudget(100 * WORST));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<java.util.concurrent.Future<Future<Reservation>>> results = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      results.add(
          pool.submit(
              () -> {
                go.await();
                return settled(store.reserve(new ReservationRequest(acme, WORST, 1, NOON)));
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
    assertEquals(0, committedNanos(store, "acme", MONTH));
  }

  @Test
  void quotasRefuseWithTheLimitAndWhenToRetry() {
    AccountingStore store = newStore();
    Tenant perMinute = tenant(new TenantLimits(2, 0, 0, 0, 0, List.of()));
    await(store.reserve(new ReservationRequest(perMinute, 0, 1, NOON)));
    await(store.reserve(new ReservationRequest(perMinute, 0, 1, NOON)));
    var rpm = refusal(store.reserve(new ReservationRequest(perMinute, 0, 1, NOON)));
    assertEquals("requests_per_minute", rpm.param());
    assertEquals(30, rpm.retryAfterSeconds()); // 12:00:30 → 12:01:00
    // The next minute is a new window.
    await(store.reserve(new ReservationRequest(perMinute, 0, 1, NOON.plusSeconds(30))));

    AccountingStore tokens = newStore();
    Tenant tpm = tenant(new TenantLimits(0, 100, 0, 0, 0, List.of()));
    Reservation r = await(tokens.reserve(new ReservationRequest(tpm, 0, 80, NOON)));
    var tooMany = refusal(tokens.reserve(new ReservationRequest(tpm, 0, 30, NOON)));
    assertEquals("tokens_per_minute", tooMany.param());
    // Settling with fewer tokens than reserved gives the rest back to the window.
    await(tokens.settle(r, new Charge(0, 50, "small", Map.of())));
    await(tokens.reserve(new ReservationRequest(tpm, 0, 30, NOON)));

    AccountingStore streams = newStore();
    Tenant one = tenant(new TenantLimits(0, 0, 1, 0, 0, List.of()));
    Reservation first = await(streams.reserve(new ReservationRequest(one, 0, 1, NOON)));
    var busy = refusal(streams.reserve(new ReservationRequest(one, 0, 1, NOON)));
    assertEquals("concurrent_streams", busy.param());
    assertEquals(1, busy.retryAfterSeconds());
    await(streams.settle(first, Charge.nothing("", Map.of())));
    await(streams.reserve(new ReservationRequest(one, 0, 1, NOON)));

    AccountingStore daily = newStore();
    var budget =
        refusal(daily.reserve(new ReservationRequest(tenant(dailyBudget(10)), 11, 1, NOON)));
    assertEquals("daily_budget_usd", budget.param());
    assertEquals(12 * 3600 - 30, budget.retryAfterSeconds()); // until midnight UTC
    assertTrue(budget.getMessage().contains("does not fit the daily budget"), budget.getMessage());
  }

  @Test
  void eachAlertThresholdIsCrossedByExactlyOneSettlement() {
    AccountingStore store = newStore();
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
    AccountingStore store = newStore();
    Tenant acme = tenant(TenantLimits.UNLIMITED);
    Tenant other = new Tenant("other", TenantLimits.UNLIMITED, Map.of(), null, null);
    charge(store, acme, NOON, 100, "large", Map.of("team", "search"));
    charge(store, acme, NOON, 40, "small", Map.of("team", "search"));
    charge(store, acme, OTHER_DAY, 7, "small", Map.of("team", "ads"));
    charge(store, other, NOON, 1000, "large", Map.of());

    assertEquals(
        List.of(new UsageRow("large", 100, 1, 10), new UsageRow("small", 40, 1, 10)),
        await(store.usage(new UsageQuery("acme", DAY, "tier"))));
    assertEquals(
        List.of(new UsageRow("ads", 7, 1, 10), new UsageRow("search", 140, 2, 20)),
        await(store.usage(new UsageQuery("acme", MONTH, "team"))));
    assertEquals(
        List.of(new UsageRow("acme", 147, 3, 30), new UsageRow("other", 1000, 1, 10)),
        await(store.usage(new UsageQuery(null, MONTH, "tenant"))));
    assertEquals(
        List.of(new UsageRow("small", 7, 1, 10)),
        await(store.usage(new UsageQuery("acme", OTHER, "tier"))));
    var bad =
        assertThrows(IllegalArgumentException.class, () -> new UsageQuery(null, "12/2026", "tier"));
    assertTrue(bad.getMessage().startsWith("period must be a UTC day yyyy-MM-dd or month yyyy-MM"));
  }

  @Test
  void aChargeAboveTheReservationIsCappedAtIt() {
    AccountingStore store = newStore();
    Tenant acme = tenant(dailyBudget(1000));
    Reservation r = await(store.reserve(new ReservationRequest(acme, 100, 1, NOON)));
    await(store.settle(r, new Charge(150, 1, "large", Map.of())));
    assertEquals(100, committedNanos(store, "acme", DAY));
    assertEquals(0, await(store.reservedNanos("acme")));
  }

  static void charge(
      AccountingStore store,
      Tenant tenant,
      Instant at,
      long cost,
      String tier,
      Map<String, String> tags) {
    Reservation r = await(store.reserve(new ReservationRequest(tenant, cost, 10, at)));
    await(store.settle(r, new Charge(cost, 10, tier, tags)));
  }

  static QuotaExceededException refusal(Future<?> future) {
    settled(future);
    assertTrue(future.failed(), "expected a refusal");
    return assertInstanceOf(QuotaExceededException.class, future.cause());
  }
}
