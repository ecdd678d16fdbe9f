package dev.tandem.router.accounting;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The accounting store of a single router: counters per tenant in memory ({@link TenantLedger}),
 * spend aggregated per (tenant, day, tier, tags). Lost on restart; several routers need the shared
 * (Redis) store.
 *
 * <p>Threading: thread-safe; every method completes synchronously (the returned futures are already
 * complete) and holds a per-tenant lock for a few counter updates only, so it may be called on an
 * event loop.
 */
public final class InMemoryAccountingStore implements AccountingStore {

  private final ConcurrentHashMap<String, TenantLedger> ledgers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Reservation> open = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<SpendKey, Spend> spend = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  private record SpendKey(String tenant, String day, String tier, Map<String, String> tags) {}

  private static final class Spend {
    final LongAdder cost = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder tokens = new LongAdder();
  }

  @Override
  public Future<Reservation> reserve(ReservationRequest request) {
    Windows w = Windows.of(request.at());
    Reservation reservation =
        new Reservation(
            ids.incrementAndGet(),
            request.tenant().id(),
            request.costNanos(),
            request.tokens(),
            w.minute(),
            w.day(),
            w.month());
    QuotaExceededException refused =
        ledger(reservation.tenantId())
            .tryHold(
                request.tenant().limits(),
                reservation,
                w.toNextMinute(),
                w.toNextDay(),
                w.toNextMonth());
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    open.put(reservation.id(), reservation);
    return Future.succeededFuture(reservation);
  }

  @Override
  public Future<Settlement> settle(Reservation reservation, Charge charge) {
    if (open.remove(reservation.id()) == null) {
      return Future.succeededFuture(
          new Settlement(
              reservation.tenantId(), reservation.day(), 0, 0, reservation.month(), 0, 0));
    }
    long cost = Math.min(charge.costNanos(), reservation.costNanos());
    long[] c = ledger(reservation.tenantId()).commit(reservation, cost, charge.tokens());
    Spend s =
        spend.computeIfAbsent(
            new SpendKey(reservation.tenantId(), reservation.day(), charge.tier(), charge.tags()),
            k -> new Spend());
    s.cost.add(cost);
    s.requests.increment();
    s.tokens.add(charge.tokens());
    return Future.succeededFuture(
        new Settlement(
            reservation.tenantId(),
            reservation.day(),
            c[0],
            c[1],
            reservation.month(),
            c[2],
            c[3]));
  }

  @Override
  public Future<List<UsageRow>> usage(UsageQuery query) {
    Map<String, long[]> groups = new TreeMap<>();
    spend.forEach(
        (key, s) -> {
          if ((query.tenantId() == null || query.tenantId().equals(key.tenant()))
              && query.covers(key.day())) {
            long[] g = groups.computeIfAbsent(group(key, query.groupBy()), k -> new long[3]);
            g[0] += s.cost.sum();
            g[1] += s.requests.sum();
            g[2] += s.tokens.sum();
          }
        });
    List<UsageRow> rows = new ArrayList<>();
    groups.forEach((group, g) -> rows.add(new UsageRow(group, g[0], g[1], g[2])));
    rows.sort(Comparator.comparing(UsageRow::group));
    return Future.succeededFuture(rows);
  }

  private static String group(SpendKey key, String groupBy) {
    return switch (groupBy) {
      case "tenant" -> key.tenant();
      case "tier" -> key.tier();
      default -> key.tags().getOrDefault(groupBy, "");
    };
  }

  @Override
  public Future<Long> reservedNanos(String tenantId) {
    TenantLedger ledger = ledgers.get(tenantId);
    return Future.succeededFuture(ledger == null ? 0L : ledger.held());
  }

  /** Streams in flight for a tenant (for tests and metrics). */
  public int inFlight(String tenantId) {
    TenantLedger ledger = ledgers.get(tenantId);
    return ledger == null ? 0 : ledger.inFlight();
  }

  /** Committed spend of a tenant in a day or month, in nano-USD. */
  public long committedNanos(String tenantId, String period) {
    TenantLedger ledger = ledgers.get(tenantId);
    return ledger == null ? 0 : ledger.committed(period);
  }

  private TenantLedger ledger(String tenantId) {
    return ledgers.computeIfAbsent(tenantId, id -> new TenantLedger());
  }

  @Override
  public String toString() {
    return "memory";
  }
}
