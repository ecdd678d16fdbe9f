package dev.tandem.router.accounting;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * The accounting windows an instant falls in, and how long until each ends: the calendar minute
 * (rate quotas), the UTC day and the UTC month (budgets).
 *
 * @param minute epoch minutes
 * @param day {@code yyyy-MM-dd}
 * @param month {@code yyyy-MM}
 * @param toNextMinute seconds until the minute ends (1..60)
 * @param toNextDay seconds until the day ends
 * @param toNextMonth seconds until the month ends
 */
record Windows(
    long minute, String day, String month, long toNextMinute, long toNextDay, long toNextMonth) {

  static Windows of(Instant at) {
    long epochSecond = at.getEpochSecond();
    LocalDate date = LocalDate.ofInstant(at, ZoneOffset.UTC);
    long nextDay = date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    long nextMonth =
        date.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    return new Windows(
        Math.floorDiv(epochSecond, 60),
        date.toString(),
        date.toString().substring(0, 7),
        60 - Math.floorMod(epochSecond, 60),
        nextDay - epochSecond,
        nextMonth - epochSecond);
  }

  /** Epoch milliseconds when {@code day} ({@code yyyy-MM-dd}) ends. */
  static long dayEndMillis(String day) {
    return LocalDate.parse(day).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  /** Epoch milliseconds when {@code month} ({@code yyyy-MM}) ends. */
  static long monthEndMillis(String month) {
    return YearMonth.parse(month)
        .plusMonths(1)
        .atDay(1)
        .atStartOfDay(ZoneOffset.UTC)
        .toInstant()
        .toEpochMilli();
  }
}
