package dev.tandem.router.cache;

/**
 * What a cached response tells the client about where it came from.
 *
 * @param kind exact or semantic
 * @param similarity cosine similarity of the two prompts' embeddings; 1 for an exact hit
 * @param promptId the id of the cached prompt whose answer is served
 */
public record CacheMarker(CacheKind kind, double similarity, String promptId) {
  public CacheMarker {
    if (kind == null || promptId == null) {
      throw new IllegalArgumentException("kind and promptId must not be null");
    }
    if (!(similarity >= -1 && similarity <= 1.000001)) {
      throw new IllegalArgumentException("similarity must be in [-1, 1], got " + similarity);
    }
  }
}
