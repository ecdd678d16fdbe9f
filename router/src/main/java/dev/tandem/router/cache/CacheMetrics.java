package dev.tandem.router.cache;

/**
 * What the cache reports: {@code tandem_cache_lookups_total{kind, result}} and the verifier cost
 * its hits saved.
 *
 * <p>Threading: called on event loops and worker threads; implementations are thread-safe and do
 * not block.
 */
public interface CacheMetrics {

  /** Reports nothing. */
  CacheMetrics NONE =
      new CacheMetrics() {
        @Override
        public void lookup(CacheKind kind, Result result) {}

        @Override
        public void saved(String tier, CacheKind kind, double usd) {}
      };

  /** How a lookup ended. */
  enum Result {
    /** an answer was served */
    HIT,
    /** nothing close enough */
    MISS,
    /** a candidate passed the threshold but the guard refused it (counted instead of a miss) */
    GUARDED,
    /** the store failed or timed out: counted as a miss for the request */
    ERROR;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  void lookup(CacheKind kind, Result result);

  /** A hit on {@code tier} saved the {@code usd} its answer cost when it was generated. */
  void saved(String tier, CacheKind kind, double usd);
}
