package dev.tandem.router.accounting;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One tenant's counters in the in-memory store: streams in flight, this minute's requests and
 * tokens, and committed and reserved spend per day and month.
 *
 * <p>Threading: every method is {@code synchronized}; a reservation checks and holds under one lock
 * hold, which is what makes it atomic.
 */
final class TenantLedger {

  private int inFlight;
  private final TreeMap<Long, long[]> minutes = new TreeMap<>(); // minute -> {requests, tokens}
  private final Map<String, long[]> periods = new HashMap<>(); // day or month -> {committed, held}

  /** Checks every limit and holds the request, or returns the refusal and holds nothing. */
  synchronized QuotaExceededException tryHold(
      TenantLimits limits,
      Reservation r,
      long secondsToNextMinute,
      long toNextDay,
      long toNextMonth) {
    minutes.headMap(r.minute() - 1).clear(); // windows that can no longer matter
    long[] minute = minutes.computeIfAbsent(r.minute(), m -> new long[2]);
    long[] day = period(r.day());
    long[] month = period(r.month());
    String tenant = r.tenantId();
    if (limits.concurrentStreams() > 0 && inFlight >= limits.concurrentStreams()) {
      return Refusals.concurrentStreams(tenant, inFlight, limits.concurrentStreams());
    }
    if (limits.requestsPerMinute() > 0 && minute[0] >= limits.requestsPerMinute()) {
      return Refusals.requestsPerMinute(tenant, limits.requestsPerMinute(), secondsToNextMinute);
    }
    if (limits.tokensPerMinute() > 0 && minute[1] + r.tokens() > limits.tokensPerMinute()) {
      return Refusals.tokensPerMinute(
          tenant, r.tokens(), limits.tokensPerMinute(), minute[1], secondsToNextMinute);
    }
    QuotaExceededException budget =
        overBudget(tenant, "daily", limits.dailyBudgetNanos(), day, r, toNextDay);
    if (budget == null) {
      budget = overBudget(tenant, "monthly", limits.monthlyBudgetNanos(), month, r, toNextMonth);
    }
    if (budget != null) {
      return budget;
    }
    inFlight++;
    minute[0]++;
    minute[1] += r.tokens();
    day[1] += r.costNanos();
    month[1] += r.costNanos();
    return null;
  }

  private static QuotaExceededException overBudget(
      String tenant, String which, long limit, long[] period, Reservation r, long retryAfter) {
    if (limit == 0 || period[0] + period[1] + r.costNanos() <= limit) {
      return null;
    }
    return Refusals.budget(tenant, which, limit, period[0], period[1], r.costNanos(), retryAfter);
  }

  /**
   * Moves a held reservation to committed spend; returns {dayBefore, dayAfter, monthBefore,
   * monthAfter}.
   */
  synchronized long[] commit(Reservation r, long costNanos, int tokens) {
    inFlight--;
    long[] minute = minutes.get(r.minute());
    if (minute != null) {
      minute[1] += tokens - r.tokens();
    }
    long[] day = period(r.day());
    long[] month = period(r.month());
    long[] crossing = {day[0], day[0] + costNanos, month[0], month[0] + costNanos};
    day[0] += costNanos;
    day[1] -= r.costNanos();
    month[0] += costNanos;
    month[1] -= r.costNanos();
    return crossing;
  }

  synchronized long held() {
    long held = 0;
    for (Map.Entry<String, long[]> e : periods.entrySet()) {
      if (e.getKey().length() == 10) { // days only: each reservation is held in one day
        held += e.getValue()[1];
      }
    }
    return held;
  }

  synchronized long committed(String period) {
    long[] p = periods.get(period);
    return p == null ? 0 : p[0];
  }

  synchronized int inFlight() {
    return inFlight;
  }

  private long[] period(String key) {
    return periods.computeIfAbsent(key, k -> new long[2]);
  }
}
