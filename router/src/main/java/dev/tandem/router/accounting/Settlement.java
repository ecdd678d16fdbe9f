package dev.tandem.router.accounting;

/**
 * The result of settling: the tenant's committed spend in the reservation's day and month, before
 * and after this charge, so that a caller can tell which alert thresholds this charge crossed
 * (exactly one settle crosses each, however many run at once).
 */
public record Settlement(
    String tenantId,
    String day,
    long dayBeforeNanos,
    long dayAfterNanos,
    String month,
    long monthBeforeNanos,
    long monthAfterNanos) {}
