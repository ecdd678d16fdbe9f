package dev.tandem.router.engine;

/**
 * The router-wide speculation defaults a request's override refines.
 *
 * @param kMax largest draft length
 * @param defaultMode auto, fixed or off
 * @param fixedK k when the mode is fixed and the request names none
 * @param draftPricePerTokenUsd cost of one draft token
 */
public record SpeculationSettings(
    int kMax, String defaultMode, int fixedK, double draftPricePerTokenUsd) {}
