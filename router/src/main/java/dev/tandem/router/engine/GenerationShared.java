package dev.tandem.router.engine;

import dev.tandem.speccore.AcceptanceStatsRegistry;
import dev.tandem.speccore.StepCostRegistry;
import java.util.function.IntSupplier;

/**
 * What the generations of one engine share: acceptance statistics and measured step costs per
 * (drafter, verifier) pair, the watchdog that times out drafter calls, and how many streams are in
 * flight (the load level step costs are learned at).
 *
 * <p>Threading: every part is thread-safe.
 */
record GenerationShared(
    AcceptanceStatsRegistry acceptance,
    StepCostRegistry stepCosts,
    DraftWatchdog draftWatchdog,
    IntSupplier streamsInFlight) {}
