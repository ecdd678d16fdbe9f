package dev.tandem.router.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The default store: Caffeine caches bounded in size (least-recently/frequently used entries go
 * first, W-TinyLFU) with a time to live per entry. The index buckets are a second bounded cache; a
 * bucket keeps at most {@value #MAX_BUCKET_IDS} ids (the newest), and ids whose entry is gone are
 * skipped on read.
 *
 * <p>Threading: thread-safe; every call completes at once without blocking (Caffeine's per-key
 * compute holds a bin lock for the few operations inside it).
 */
public final class InMemoryCacheStore implements CacheStore {

  /** Most ids one bucket keeps: a bucket that large means the prompts are near-duplicates. */
  static final int MAX_BUCKET_IDS = 64;

  private final Cache<String, CacheEntry> entries;
  private final Cache<String, Bucket> buckets;

  /**
   * @param maxEntries most entries held
   * @param ticker the time source for expiry (a test drives its own)
   */
  public InMemoryCacheStore(long maxEntries, Ticker ticker) {
    this.entries =
        Caffeine.newBuilder()
            .maximumSize(maxEntries)
            .ticker(ticker)
            .expireAfter(Expiry.<String, CacheEntry>writing((id, entry) -> entry.ttl()))
            .build();
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(Math.max(16, maxEntries * 8))
            .ticker(ticker)
            .expireAfter(Expiry.<String, Bucket>writing((key, bucket) -> bucket.ttl))
            .build();
  }

  /** A store on the system ticker. */
  public InMemoryCacheStore(long maxEntries) {
    this(maxEntries, Ticker.systemTicker());
  }

  private static final class Bucket {
    final LinkedHashSet<String> ids = new LinkedHashSet<>();
    Duration ttl = Duration.ZERO;
  }

  @Override
  public Future<Optional<CacheEntry>> get(String id) {
    return Future.succeededFuture(Optional.ofNullable(entries.getIfPresent(id)));
  }

  @Override
  public Future<Void> put(CacheEntry entry) {
    entries.put(entry.id(), entry);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> index(List<String> bucketKeys, String id, Duration ttl) {
    for (String key : bucketKeys) {
      buckets
          .asMap()
          .compute(
              key,
              (k, existing) -> {
                Bucket bucket = existing == null ? new Bucket() : existing;
                synchronized (bucket) {
                  bucket.ids.remove(id);
                  bucket.ids.add(id);
                  if (bucket.ids.size() > MAX_BUCKET_IDS) {
                    bucket.ids.remove(bucket.ids.iterator().next());
                  }
                  if (ttl.compareTo(bucket.ttl) > 0) {
                    bucket.ttl = ttl;
                  }
                }
                return bucket;
              });
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<List<CacheEntry>> candidates(List<String> bucketKeys, int limit) {
    Set<String> ids = new LinkedHashSet<>();
    for (String key : bucketKeys) {
      Bucket bucket = buckets.getIfPresent(key);
      if (bucket != null) {
        synchronized (bucket) {
          ids.addAll(bucket.ids);
        }
      }
    }
    List<CacheEntry> found = new ArrayList<>();
    for (String id : ids) {
      if (found.size() >= limit) {
        break;
      }
      CacheEntry entry = entries.getIfPresent(id);
      if (entry != null) {
        found.add(entry);
      }
    }
    return Future.succeededFuture(found);
  }

  @Override
  public long size() {
    return entries.estimatedSize();
  }

  /** Applies pending evictions now (tests read {@link #size} after it). */
  public void cleanUp() {
    entries.cleanUp();
    buckets.cleanUp();
  }

  @Override
  public void close() {
    entries.invalidateAll();
    buckets.invalidateAll();
  }
}
