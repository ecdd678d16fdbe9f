package dev.tandem.router.cache;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where cached answers and the semantic index live: entries by id with a time to live, and buckets
 * (key → set of entry ids) for the LSH index. Plain structures, so that an in-memory map and Redis
 * strings and sets can both hold them. A store that cannot answer fails its future; the cache then
 * counts a miss and the request runs as if nothing was cached.
 *
 * <p>Threading: every method may be called from any thread, event loops included, and must not
 * block.
 */
public interface CacheStore extends AutoCloseable {

  /** The entry, when present and not expired. */
  Future<Optional<CacheEntry>> get(String id);

  /** Stores (or replaces) an entry for {@link CacheEntry#ttl()}. */
  Future<Void> put(CacheEntry entry);

  /** Adds {@code id} to each bucket; a bucket lives at least {@code ttl} after its last add. */
  Future<Void> index(List<String> bucketKeys, String id, Duration ttl);

  /**
   * The live entries whose ids are in any of the buckets, at most {@code limit} of them (ids whose
   * entry expired or was evicted are skipped).
   */
  Future<List<CacheEntry>> candidates(List<String> bucketKeys, int limit);

  /** Entries held now (approximate for a bounded store). */
  long size();

  @Override
  void close();
}
