package dev.tandem.speccore;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link StepCosts} per (drafter, verifier) pair and load level, created on first use. The load
 * level is the number of streams in flight rounded down to a power of two (1, 2–3, 4–7, ...): what
 * a step costs beyond its model work changes with how many streams share the threads, the
 * verifier's batches and the event loops.
 *
 * <p>Threading: thread-safe.
 */
public final class StepCostRegistry {

  private record Key(String drafter, String verifier, int level) {}

  private final Map<Key, StepCosts> costs = new ConcurrentHashMap<>();

  /** The level of {@code streams} streams in flight: floor(log2(max(1, streams))). */
  public static int level(int streams) {
    return 31 - Integer.numberOfLeadingZeros(Math.max(1, streams));
  }

  /** The pair's costs with {@code streams} streams in flight. */
  public StepCosts forPair(String drafter, String verifier, int streams) {
    return costs.computeIfAbsent(
        new Key(drafter, verifier, level(streams)), key -> new StepCosts(1 << key.level()));
  }
}
