package dev.tandem.speccore;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One {@link AcceptanceStats} per (drafter, verifier) pair, created on first use.
 *
 * <p>Threading: thread-safe.
 */
public final class AcceptanceStatsRegistry {

  /** Identifies a pair by the names of {@link DraftProposer#name()} and {@link Verifier#name()}. */
  public record Pair(String drafter, String verifier) {
    public Pair {
      if (drafter == null || drafter.isBlank() || verifier == null || verifier.isBlank()) {
        throw new IllegalArgumentException(
            "drafter and verifier must be non-blank names, got " + drafter + ", " + verifier);
      }
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

  /** The pair's shared statistics. */
  public AcceptanceStats forPair(String drafter, String verifier) {
    return stats.computeIfAbsent(new Pair(drafter, verifier), pair -> factory.get());
  }

  /** A point-in-time copy of every pair's α, e.g. for metrics. */
  public Map<Pair, Double> alphas() {
    Map<Pair, Double> out = new java.util.HashMap<>();
    stats.forEach((pair, s) -> out.put(pair, s.alpha()));
    return Map.copyOf(out);
  }
}
