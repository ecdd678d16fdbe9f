package dev.tandem.router.accounting;

/**
 * What a store holds for one running request until {@link AccountingStore#settle} replaces it with
 * the actual charge. Carries the windows it was counted in, so settling touches exactly those (a
 * request that runs past midnight is billed to the day it started).
 *
 * @param id unique per tenant in a store, makes settling idempotent (the Redis store numbers them
 *     per tenant; a negative id there marks a request served unchecked under fail_open)
 * @param tenantId who pays
 * @param costNanos cost held against the day's and the month's budget
 * @param tokens tokens held against the minute's quota
 * @param minute the calendar minute (epoch minutes) of the rate windows
 * @param day the UTC day, {@code yyyy-MM-dd}
 * @param month the UTC month, {@code yyyy-MM}
 */
public record Reservation(
    long id, String tenantId, long costNanos, int tokens, long minute, String day, String month) {}
