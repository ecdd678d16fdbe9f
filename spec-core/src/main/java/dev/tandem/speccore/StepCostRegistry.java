package dev.tandem.speccore;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link StepCosts} per (drafter, verifier) pair and load level, created on first use. The load
 * level is the number of streams in flight rounded to the nearest power of two on a log scale (1,
 * 2, 3–5, 6–11, 12–22, 23–45, ...): what a step costs beyond its model work changes with how many
 * streams share the threads, the verifier's batches and the event loops.
 *
 * <p>Why rounded, not floored: a load that holds N streams dips below N whenever one of them is
 * between requests, and at the end of a burst. With levels floored to powers of two, 32 streams
 * (the bottom of 32–63) put a fifth of their steps in the costs of 16–31 (the policy bench at 32
 * remote streams on code; BENCHMARKS.md), whose goodput epochs then drafted other k than the 32's
 * in the same batches, and each level's epochs measured the other's k as their own. Rounded, a
 * power of two sits in the middle of its level, 32 in 23–45.
 *
 * <p>Threading: thread-safe.
 */
public final class StepCostRegistry {

  private record Key(String drafter, String verifier, int level) {}

  private final Map<Key, StepCosts> costs = new ConcurrentHashMap<>();

  /** The highest level: about a million streams; more share it. */
  static final int MAX_LEVEL = 20;

  /**
   * The level of {@code streams} streams in flight: round(log2(max(1, streams))), at most {@value
   * #MAX_LEVEL}.
   */
  public static int level(int streams) {
    long s = Math.max(1, streams);
    int floor = 63 - Long.numberOfLeadingZeros(s);
    // s ≥ 2^(floor + 1/2), i.e. s² ≥ 2^(2·floor + 1): nearer the next power of two on a log scale
    int level = s * s >= 1L << (2 * floor + 1) ? floor + 1 : floor;
    return Math.min(level, MAX_LEVEL);
  }

  /** The streams a level is named for: 2^level. */
  public static int streamsOf(int level) {
    if (level < 0 || level > MAX_LEVEL) {
      throw new IllegalArgumentException("level must be in 0.." + MAX_LEVEL + ", got " + level);
    }
    return 1 << level;
  }

  /** The pair's costs with {@code streams} streams in flight. */
  public StepCosts forPair(String drafter, String verifier, int streams) {
    return costs.computeIfAbsent(
        new Key(drafter, verifier, level(streams)), key -> new StepCosts(streamsOf(key.level())));
  }
}
