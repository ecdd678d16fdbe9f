package dev.tandem.router.accounting;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where quotas, budgets and spend live: reserve before a request starts, settle when it ends.
 *
 * <p>{@link #reserve} is one atomic check-and-hold over all of a tenant's limits (no
 * check-then-increment window): concurrent requests can never hold or commit more than a budget. In
 * memory that is a lock per tenant; a Redis store makes it one Lua script over the tenant's keys
 * (in-flight counter, minute counters, day and month hashes of committed and reserved nano-USD),
 * and {@link #settle} a second script that moves the reservation to committed and decrements what
 * it held. A {@link Reservation} names every window it touched, so settle needs no clock.
 *
 * <p>Threading: every method may be called from any thread, including event loops; none blocks.
 */
public interface AccountingStore {

  /**
   * Holds the request's worst-case cost and tokens and one stream slot, or fails with {@link
   * QuotaExceededException} naming the limit, holding nothing.
   */
  Future<Reservation> reserve(ReservationRequest request);

  /**
   * Replaces a reservation with what the request actually cost: commits the charge (capped at the
   * reservation: a request never spends more than it held), releases the rest and the stream slot,
   * and records the charge for {@link #usage}. Settling a reservation again is a no-op that reports
   * nothing crossed.
   */
  Future<Settlement> settle(Reservation reservation, Charge charge);

  /** Committed spend in a period, grouped. */
  Future<List<UsageRow>> usage(UsageQuery query);

  /** Cost still held by unsettled reservations of a tenant, in nano-USD (0 when none leak). */
  Future<Long> reservedNanos(String tenantId);
}
