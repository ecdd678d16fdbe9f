package dev.tandem.router.accounting;

import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.config.TandemConfig.RedisFailurePolicy;
import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.TandemException;
import dev.tandem.router.redis.RedisConnection;
import dev.tandem.router.redis.RedisScript;
import dev.tandem.router.redis.RedisUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Budgets, quotas, reservations and spend in Redis, shared by every router that points at it: one
 * Lua script reserves (all of a tenant's limits, atomically, with the semantics of {@link
 * InMemoryAccountingStore}), one settles (idempotent), and both reclaim reservations whose router
 * died (their lease lapsed: see {@link RedisKeys}). Committed spend lives in Redis, so a router
 * restart loses none of it; rate windows and budget periods expire by TTL.
 *
 * <p>While Redis is down or slower than {@code redis.timeout_ms}, {@code redis.on_failure} decides:
 * {@code fail_closed} refuses the request with UNAVAILABLE / 503 and {@code fail_open} serves it
 * unchecked (counted in {@code tandem_budget_unchecked_total}) and commits its spend when Redis
 * answers again. A settle that cannot reach Redis is kept and sent again then ({@link
 * PendingSettlements}); settling twice is harmless. No call waits longer than the timeout.
 *
 * <p>Threading: thread-safe; no method blocks, so every one may be called on an event loop. Futures
 * complete on Vert.x threads.
 */
public final class RedisAccountingStore implements AccountingStore, AutoCloseable {

  private static final RedisScript RESERVE = script("reserve.lua", "reserve");
  private static final RedisScript SETTLE = script("settle.lua", "settle");
  private static final RedisScript COMMIT = script("commit.lua", "commit");
  private static final RedisScript STATE = script("state.lua", "state");
  private static final RedisScript USAGE = script("usage.lua", "usage");

  /** How long reclaimed reservations and fail-open markers wait for a late settle. */
  private static final long KEEP_MS = Duration.ofDays(2).toMillis();

  private static final long DAY_MS = Duration.ofDays(1).toMillis();

  private final RedisConnection redis;
  private final RedisKeys keys;
  private final RedisFailurePolicy onFailure;
  private final long leaseMs;
  private final long retentionMs;
  private final Clock clock;
  private final LeaseRenewal leases;
  private final PendingSettlements pending;
  private final Set<String> indexed = ConcurrentHashMap.newKeySet();
  private final String instance = UUID.randomUUID().toString();
  private final AtomicLong uncheckedIds = new AtomicLong();
  private final Counter unchecked;
  private final Counter reclaimed;

  /**
   * @param redis the router's connection (not closed by this store)
   * @param clock times the leases (the request's own instant picks its windows)
   * @param registry where this store's counters go
   */
  public RedisAccountingStore(
      Vertx vertx,
      RedisConnection redis,
      TandemConfig.Redis config,
      Clock clock,
      MeterRegistry registry) {
    this.redis = redis;
    this.keys = new RedisKeys(config.keyPrefix());
    this.onFailure = config.onFailure();
    this.leaseMs = config.reservationLease().toMillis();
    this.retentionMs = Duration.ofDays(config.usageRetentionDays()).toMillis();
    this.clock = clock;
    this.leases = new LeaseRenewal(vertx, redis, keys, clock, leaseMs);
    this.pending = new PendingSettlements(this::settleNow, registry);
    redis.health().onChange(up -> pending.replayIf(up));
    this.unchecked =
        Counter.builder("tandem.budget.unchecked")
            .description("Requests served without a budget check while Redis was down (fail_open)")
            .register(registry);
    this.reclaimed =
        Counter.builder("tandem.budget.reservations.reclaimed")
            .description("Reservations whose router died, reclaimed after their lease lapsed")
            .register(registry);
  }

  private static RedisScript script(String name, String op) {
    String source = RedisScript.resource(RedisAccountingStore.class, name, op).source();
    if (!name.equals("settle.lua") && !name.equals("commit.lua") && !name.equals("usage.lua")) {
      source = RedisScript.resource(RedisAccountingStore.class, "sweep.lua", op).source() + source;
    }
    return new RedisScript(op, source);
  }

  @Override
  public Future<Reservation> reserve(ReservationRequest request) {
    String tenant = request.tenant().id();
    TenantLimits l = request.tenant().limits();
    Windows w = Windows.of(request.at());
    Reservation unnumbered =
        new Reservation(
            0, tenant, request.costNanos(), request.tokens(), w.minute(), w.day(), w.month());
    List<String> k =
        List.of(
            keys.reservations(tenant),
            keys.leases(tenant),
            keys.sequence(tenant),
            keys.minute(tenant, w.minute()),
            keys.budget(tenant, w.day()),
            keys.budget(tenant, w.month()));
    List<String> args =
        strings(
            keys.base(tenant),
            clock.millis(),
            leaseMs,
            KEEP_MS,
            l.concurrentStreams(),
            l.requestsPerMinute(),
            l.tokensPerMinute(),
            l.dailyBudgetNanos(),
            l.monthlyBudgetNanos(),
            request.costNanos(),
            request.tokens(),
            w.minute(),
            w.day(),
            w.month(),
            Windows.dayEndMillis(w.day()) + DAY_MS,
            Windows.monthEndMillis(w.month()) + DAY_MS);
    return RESERVE
        .run(redis, k, args)
        .transform(
            ar ->
                ar.succeeded()
                    ? held(request, unnumbered, w, ar.result())
                    : unavailable(unnumbered, ar.cause()));
  }

  private Future<Reservation> held(
      ReservationRequest request, Reservation unnumbered, Windows w, Response r) {
    String tenant = unnumbered.tenantId();
    TenantLimits l = request.tenant().limits();
    String outcome = r.get(0).toString();
    if (outcome.equals("ok")) {
      reclaimed.increment(r.get(2).toLong());
      Reservation reservation = withId(unnumbered, r.get(1).toLong());
      leases.add(reservation);
      index(tenant);
      return Future.succeededFuture(reservation);
    }
    long cost = request.costNanos();
    return Future.failedFuture(
        switch (outcome) {
          case "concurrent_streams" ->
              Refusals.concurrentStreams(tenant, r.get(1).toLong(), l.concurrentStreams());
          case "requests_per_minute" ->
              Refusals.requestsPerMinute(tenant, l.requestsPerMinute(), w.toNextMinute());
          case "tokens_per_minute" ->
              Refusals.tokensPerMinute(
                  tenant,
                  request.tokens(),
                  l.tokensPerMinute(),
                  r.get(1).toLong(),
                  w.toNextMinute());
          case "daily_budget_usd" ->
              Refusals.budget(
                  tenant,
                  "daily",
                  l.dailyBudgetNanos(),
                  r.get(1).toLong(),
                  r.get(2).toLong(),
                  cost,
                  w.toNextDay());
          case "monthly_budget_usd" ->
              Refusals.budget(
                  tenant,
                  "monthly",
                  l.monthlyBudgetNanos(),
                  r.get(1).toLong(),
                  r.get(2).toLong(),
                  cost,
                  w.toNextMonth());
          default -> new IllegalStateException("reserve script answered " + r);
        });
  }

  /** Redis did not answer the reservation: {@code redis.on_failure} decides. */
  private Future<Reservation> unavailable(Reservation unnumbered, Throwable cause) {
    if (onFailure == RedisFailurePolicy.FAIL_OPEN) {
      unchecked.increment();
      // A negative id marks a reservation Redis never saw; its settle commits without one.
      return Future.succeededFuture(withId(unnumbered, -uncheckedIds.incrementAndGet()));
    }
    return Future.failedFuture(
        new TandemException(
            ErrorKind.UNAVAILABLE,
            null,
            "budgets cannot be checked now ("
                + reason(cause)
                + "); redis.on_failure is fail_closed, so requests are refused until Redis answers",
            Duration.ofSeconds(1),
            cause));
  }

  private static String reason(Throwable cause) {
    return cause instanceof RedisUnavailableException
        ? cause.getMessage()
        : "redis error: " + cause.getMessage();
  }

  @Override
  public Future<Settlement> settle(Reservation reservation, Charge charge) {
    leases.remove(reservation);
    return settleNow(reservation, charge)
        .onFailure(
            e -> {
              if (e instanceof RedisUnavailableException) {
                pending.add(reservation, charge);
              }
            });
  }

  /** One attempt to settle in Redis. */
  private Future<Settlement> settleNow(Reservation r, Charge charge) {
    String tenant = r.tenantId();
    long cost = Math.min(charge.costNanos(), r.costNanos());
    String group = UsageGroups.field(charge);
    long dayExpiry = Windows.dayEndMillis(r.day()) + DAY_MS;
    long monthExpiry = Windows.monthEndMillis(r.month()) + DAY_MS;
    long usageExpiry = Windows.dayEndMillis(r.day()) + retentionMs;
    Future<Response> done;
    if (r.id() > 0) {
      done =
          SETTLE.run(
              redis,
              List.of(
                  keys.reservations(tenant),
                  keys.leases(tenant),
                  keys.lapsed(tenant),
                  keys.minute(tenant, r.minute()),
                  keys.budget(tenant, r.day()),
                  keys.budget(tenant, r.month()),
                  keys.usage(tenant, r.day())),
              strings(
                  r.id(),
                  cost,
                  charge.tokens(),
                  r.tokens(),
                  r.costNanos(),
                  dayExpiry,
                  monthExpiry,
                  group,
                  usageExpiry));
    } else {
      done =
          COMMIT.run(
              redis,
              List.of(
                  keys.once(tenant, instance + ":" + -r.id()),
                  keys.minute(tenant, r.minute()),
                  keys.budget(tenant, r.day()),
                  keys.budget(tenant, r.month()),
                  keys.usage(tenant, r.day())),
              strings(cost, charge.tokens(), dayExpiry, monthExpiry, group, usageExpiry, KEEP_MS));
    }
    return done.map(
        s -> {
          if (s.get(0).toLong() == 0) {
            return new Settlement(tenant, r.day(), 0, 0, r.month(), 0, 0); // settled before
          }
          index(tenant);
          long day = s.get(1).toLong();
          long month = s.get(2).toLong();
          return new Settlement(tenant, r.day(), day - cost, day, r.month(), month - cost, month);
        });
  }

  @Override
  public Future<List<UsageRow>> usage(UsageQuery query) {
    Future<List<String>> tenants =
        query.tenantId() != null
            ? Future.succeededFuture(List.of(query.tenantId()))
            : redis
                .send("usage", Request.cmd(Command.SMEMBERS).arg(keys.tenants()))
                .map(r -> r.stream().map(Response::toString).sorted().toList());
    return tenants.compose(
        ids -> {
          List<Future<Response>> each = new ArrayList<>();
          for (String tenant : ids) {
            List<String> k =
                UsageGroups.days(query.period()).stream().map(d -> keys.usage(tenant, d)).toList();
            each.add(USAGE.run(redis, k, List.of()));
          }
          return Future.all(each)
              .map(
                  all -> {
                    UsageGroups groups = new UsageGroups(query.groupBy());
                    for (int i = 0; i < ids.size(); i++) {
                      groups.add(ids.get(i), all.<Response>resultAt(i));
                    }
                    return groups.rows();
                  });
        });
  }

  @Override
  public Future<Long> reservedNanos(String tenantId) {
    return state(tenantId).map(s -> s.get(1).toLong());
  }

  /** Streams of a tenant in flight across every router (after reclaiming lapsed leases). */
  public Future<Integer> inFlight(String tenantId) {
    return state(tenantId).map(s -> s.get(0).toInteger());
  }

  private Future<Response> state(String tenant) {
    return STATE.run(
        redis,
        List.of(keys.reservations(tenant), keys.leases(tenant)),
        strings(keys.base(tenant), clock.millis(), KEEP_MS));
  }

  /** Renews this router's leases now (the timer does it every third of a lease). */
  Future<Void> renewLeases() {
    return leases.renew();
  }

  /** Settlements waiting for Redis to come back. */
  public int pendingSettlements() {
    return pending.size();
  }

  /** Adds the tenant to the set {@link #usage} lists for all tenants, once per router. */
  private void index(String tenant) {
    if (indexed.add(tenant)) {
      redis
          .send("index", Request.cmd(Command.SADD).arg(keys.tenants()).arg(tenant))
          .onFailure(e -> indexed.remove(tenant));
    }
  }

  private static Reservation withId(Reservation r, long id) {
    return new Reservation(
        id, r.tenantId(), r.costNanos(), r.tokens(), r.minute(), r.day(), r.month());
  }

  private static List<String> strings(Object... values) {
    List<String> out = new ArrayList<>(values.length);
    for (Object v : values) {
      out.add(String.valueOf(v));
    }
    return out;
  }

  /** Stops renewing leases: this router's open reservations lapse as if it had died. */
  @Override
  public void close() {
    leases.close();
  }

  @Override
  public String toString() {
    return "redis("
        + keys.prefix()
        + ", on_failure="
        + onFailure.name().toLowerCase(Locale.ROOT)
        + ")";
  }
}
