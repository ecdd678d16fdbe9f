package dev.tandem.router.accounting;

import dev.tandem.router.redis.RedisUnavailableException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.logging.Logger;

/**
 * Settlements that could not reach Redis, sent again when it answers: spend is committed late but
 * not lost (settling is idempotent, so a settle that did reach Redis before its answer was lost is
 * not counted twice). Bounded: past {@link #LIMIT} waiting settlements new ones are dropped, with
 * one WARNING, rather than growing without end. The gauge {@code tandem_budget_settlements_pending}
 * shows how many wait.
 *
 * <p>Threading: thread-safe; {@link #replayIf} is called by the connection's health listener.
 */
final class PendingSettlements {

  private static final Logger LOG = Logger.getLogger(PendingSettlements.class.getName());
  static final int LIMIT = 100_000;

  private record Entry(Reservation reservation, Charge charge) {}

  private final BiFunction<Reservation, Charge, Future<Settlement>> settle;
  private final Queue<Entry> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicBoolean warnedFull = new AtomicBoolean();

  PendingSettlements(
      BiFunction<Reservation, Charge, Future<Settlement>> settle, MeterRegistry registry) {
    this.settle = settle;
    Gauge.builder("tandem.budget.settlements.pending", size, AtomicInteger::get)
        .description("Settlements waiting for Redis to answer again")
        .register(registry);
  }

  void add(Reservation reservation, Charge charge) {
    if (size.incrementAndGet() > LIMIT) {
      size.decrementAndGet();
      if (warnedFull.compareAndSet(false, true)) {
        LOG.warning(
            LIMIT + " settlements wait for Redis; the spend of later ones is not committed");
      }
      return;
    }
    queue.add(new Entry(reservation, charge));
  }

  /**
   * When Redis is up again, sends every waiting settlement once more. One still counts as waiting
   * while its replay is in flight; a replay that misses Redis again goes back in the queue for the
   * next time Redis comes back.
   */
  void replayIf(boolean up) {
    if (!up) {
      return;
    }
    warnedFull.set(false);
    // Only those waiting now: one that fails at once goes back for the next time, not this loop.
    for (int n = queue.size(); n > 0; n--) {
      Entry entry = queue.poll();
      if (entry == null) {
        return;
      }
      settle
          .apply(entry.reservation(), entry.charge())
          .onComplete(
              ar -> {
                if (ar.failed() && ar.cause() instanceof RedisUnavailableException) {
                  queue.add(entry);
                  return;
                }
                size.decrementAndGet();
                if (ar.failed()) {
                  LOG.warning(
                      "a settlement of tenant "
                          + entry.reservation().tenantId()
                          + " failed again and is dropped: "
                          + ar.cause());
                }
              });
    }
  }

  int size() {
    return size.get();
  }
}
