package dev.tandem.router.cache;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One cached answer: the chunks exactly as they were streamed (so a hit replays the same deltas,
 * token ids included), the text the stream still owed at its end, and the figures of its last
 * chunk.
 *
 * @param id the exact key; also the prompt id a semantic hit reports
 * @param tenant whose request produced it (a hit never crosses tenants)
 * @param scope see {@link CacheKey#scope}
 * @param chunks the deltas in order
 * @param tail the text sent with the last chunk
 * @param finish why the generation ended (never budget, error, cancel or deadline)
 * @param promptTokens prompt tokens as the serving tier counted them
 * @param completionTokens tokens generated
 * @param costUsd what the generation cost: what each hit saves
 * @param createdNanos when it was stored, on the cache's ticker
 * @param ttl how long it is kept
 * @param semantic its place in the semantic index, when it was indexed
 */
public record CacheEntry(
    String id,
    String tenant,
    String scope,
    List<Chunk> chunks,
    String tail,
    Finish finish,
    int promptTokens,
    int completionTokens,
    double costUsd,
    long createdNanos,
    Duration ttl,
    Optional<Semantic> semantic) {

  public CacheEntry {
    chunks = List.copyOf(chunks);
    if (id == null || tenant == null || scope == null || tail == null || finish == null) {
      throw new IllegalArgumentException("id, tenant, scope, tail and finish must not be null");
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, got " + ttl);
    }
  }

  /** One streamed delta and the tokens behind it. */
  public record Chunk(String text, int[] tokens) {}

  /** The endings worth caching: the whole answer was produced. */
  public enum Finish {
    LENGTH,
    STOP,
    EOS
  }

  /**
   * @param embedder the embedder's name
   * @param vector the prompt's embedding
   * @param facts what the guard compares
   */
  public record Semantic(String embedder, float[] vector, PromptFacts facts) {}

  /** The answer's whole text. */
  public String text() {
    StringBuilder text = new StringBuilder();
    chunks.forEach(c -> text.append(c.text()));
    return text.append(tail).toString();
  }
}
