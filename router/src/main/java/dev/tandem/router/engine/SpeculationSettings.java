package dev.tandem.router.engine;

import dev.tandem.router.api.GenerationRequest.SpeculationMode;

/**
 * The router-wide speculation defaults a request's override refines.
 *
 * @param kMax largest draft length
 * @param defaultMode what a request that names no mode gets
 * @param fixedK k when the mode is fixed and the request names none
 * @param draftPricePerTokenUsd cost of one draft token
 */
public record SpeculationSettings(
    int kMax, SpeculationMode defaultMode, int fixedK, double draftPricePerTokenUsd) {}
