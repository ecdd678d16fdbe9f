package dev.tandem.speccore;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A request's random stream, keyed by position: the draws of the step that extends a sequence at
 * position p come from a generator determined by (seed, p) alone. A session that replaces another
 * at the same position (a verifier failover) therefore draws exactly what the lost one would have,
 * and a seeded request gives the same text with or without the failure. Positions grow by at least
 * one per step, so no two steps of a request share a generator.
 *
 * <p>Stateless and thread-safe; each call returns a fresh generator for one thread.
 */
public final class StepRandom {

  private StepRandom() {}

  /** The generator for the step at {@code position} of a request seeded with {@code seed}. */
  public static RandomGenerator at(long seed, int position) {
    if (position < 0) {
      throw new IllegalArgumentException("position must be >= 0, got " + position);
    }
    return new SplittableRandom(mix(seed ^ mix(position + 0x9E3779B97F4A7C15L)));
  }

  /** Stafford's variant 13 of the MurmurHash3 finaliser: nearby inputs give unrelated outputs. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
