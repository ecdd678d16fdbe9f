package dev.tandem.router.cache;

/**
 * A cached answer found for a request.
 *
 * @param entry the answer
 * @param kind exact or semantic
 * @param similarity the prompts' cosine similarity (1 for exact)
 */
public record CacheHit(CacheEntry entry, CacheKind kind, double similarity) {

  /** What the response tells the client. */
  public CacheMarker marker() {
    return new CacheMarker(kind, Math.min(1, similarity), entry.id());
  }
}
