package dev.tandem.speccore;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One {@link AcceptanceStats} per (drafter, verifier) pair and sampling temperature, created on
 * first use.
 *
 * <p>Greedy requests accept a draft when it is the verifier's argmax; sampled ones with the
 * probability {@code min(1, p/q)}, which at temperature T depends on how close the two models'
 * distributions are at T. So each temperature, in tenths (at most {@value #TEMPERATURE_BUCKETS}
 * buckets per pair, bounded whatever clients send), keeps its own estimate; top-k and top-p change
 * acceptance too and are left to each request's own rate ({@link RequestAcceptance}).
 *
 * <p>Threading: thread-safe.
 */
public final class AcceptanceStatsRegistry {

  /** Temperature buckets per pair: greedy, and 0.1 .. {@link SamplingParams#MAX_TEMPERATURE}. */
  public static final int TEMPERATURE_BUCKETS = 21;

  /**
   * Identifies a pair by the names of {@link DraftProposer#name()} and {@link Verifier#name()}, and
   * the sampling it is measured under: {@code temperatureTenths} 0 for greedy decoding, else the
   * temperature in tenths ({@link #temperatureTenths}).
   */
  public record Pair(String drafter, String verifier, int temperatureTenths) {
    public Pair {
      if (drafter == null || drafter.isBlank() || verifier == null || verifier.isBlank()) {
        throw new IllegalArgumentException(
            "drafter and verifier must be non-blank names, got " + drafter + ", " + verifier);
      }
      if (temperatureTenths < 0 || temperatureTenths >= TEMPERATURE_BUCKETS) {
        throw new IllegalArgumentException(
            "temperatureTenths must be in 0.."
                + (TEMPERATURE_BUCKETS - 1)
                + ", got "
                + temperatureTenths);
      }
    }

    /** The pair under greedy decoding. */
    public Pair(String drafter, String verifier) {
      this(drafter, verifier, 0);
    }
  }

  private final Map<Pair, AcceptanceStats> stats = new ConcurrentHashMap<>();
  private final Supplier<AcceptanceStats> factory;

  /** A registry whose stats use the defaults of {@link AcceptanceStats#withDefaults()}. */
  public AcceptanceStatsRegistry() {
    this(AcceptanceStats::withDefaults);
  }

  public AcceptanceStatsRegistry(Supplier<AcceptanceStats> factory) {
    this.factory = factory;
  }

  /** The pair's shared statistics under greedy decoding. */
  public AcceptanceStats forPair(String drafter, String verifier) {
    return stats.computeIfAbsent(new Pair(drafter, verifier), pair -> factory.get());
  }

  /** The pair's shared statistics for requests that sample with {@code sampling}. */
  public AcceptanceStats forPair(String drafter, String verifier, SamplingParams sampling) {
    return stats.computeIfAbsent(
        new Pair(drafter, verifier, temperatureTenths(sampling)), pair -> factory.get());
  }

  /**
   * The bucket of a sampling's temperature (0..{@link SamplingParams#MAX_TEMPERATURE}, checked by
   * {@link SamplingParams}): 0 for greedy, else the temperature rounded to tenths and at least 1,
   * so that sampling at a temperature near 0 is never counted as greedy.
   */
  private static int temperatureTenths(SamplingParams sampling) {
    return sampling.isGreedy() ? 0 : Math.max(1, Math.round(sampling.temperature() * 10));
  }

  /** A point-in-time copy of every pair's α, e.g. for metrics. */
  public Map<Pair, Double> alphas() {
    Map<Pair, Double> out = new java.util.HashMap<>();
    stats.forEach((pair, s) -> out.put(pair, s.alpha()));
    return Map.copyOf(out);
  }
}
