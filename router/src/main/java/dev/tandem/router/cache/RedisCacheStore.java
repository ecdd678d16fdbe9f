package dev.tandem.router.cache;

import dev.tandem.router.redis.RedisConnection;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The cache on Redis, shared by every router on it, on plain structures (Debian's Redis has no
 * vector search): an entry is a string ({@code <prefix>:cache:e:<id>}, JSON, {@code PX} = its TTL);
 * an LSH bucket is a set of entry ids ({@code <prefix>:cache:b:<bucket>}) that lives as long as its
 * newest entry. Every command goes through the router's {@link RedisConnection}, so none waits
 * longer than {@code redis.timeout_ms}; while Redis is down they fail at once and the cache serves
 * misses. Commands touch one key each (no multi-key command), so a Redis Cluster needs no hash
 * tags.
 *
 * <p>Round trips: an exact lookup is one {@code GET}; a semantic lookup one {@code SMEMBERS} per
 * LSH table, then one {@code GET} per candidate (two sequential round trips, the commands of each
 * sent concurrently); a store is one {@code SET}, then {@code SADD} and {@code PEXPIRE} per table.
 *
 * <p>Threading: thread-safe; never blocks (see {@link RedisConnection}).
 */
public final class RedisCacheStore implements CacheStore {

  private final RedisConnection redis;
  private final String prefix;

  /**
   * @param redis the router's connection (owned by the router, not closed here)
   * @param keyPrefix {@code redis.key_prefix}
   */
  public RedisCacheStore(RedisConnection redis, String keyPrefix) {
    this.redis = redis;
    this.prefix = keyPrefix + ":cache:";
  }

  private String entryKey(String id) {
    return prefix + "e:" + id;
  }

  private String bucketKey(String bucket) {
    return prefix + "b:" + bucket;
  }

  @Override
  public Future<Optional<CacheEntry>> get(String id) {
    return redis
        .send("cache_get", Request.cmd(Command.GET).arg(entryKey(id)))
        .map(r -> r == null ? Optional.empty() : Optional.of(CacheEntryCodec.decode(r.toString())));
  }

  @Override
  public Future<Void> put(CacheEntry entry) {
    return redis
        .send(
            "cache_put",
            Request.cmd(Command.SET)
                .arg(entryKey(entry.id()))
                .arg(CacheEntryCodec.encode(entry))
                .arg("PX")
                .arg(entry.ttl().toMillis()))
        .mapEmpty();
  }

  @Override
  public Future<Void> index(List<String> bucketKeys, String id, Duration ttl) {
    List<Future<Response>> sent = new ArrayList<>();
    long ms = ttl.toMillis();
    for (String bucket : bucketKeys) {
      String key = bucketKey(bucket);
      sent.add(redis.send("cache_index", Request.cmd(Command.SADD).arg(key).arg(id)));
      // the bucket lives as long as its newest entry (a bucket belongs to one tenant and tier,
      // whose entries share one TTL)
      sent.add(redis.send("cache_index", Request.cmd(Command.PEXPIRE).arg(key).arg(ms)));
    }
    return Future.all(sent).mapEmpty();
  }

  @Override
  public Future<List<CacheEntry>> candidates(List<String> bucketKeys, int limit) {
    List<Future<Response>> members = new ArrayList<>();
    for (String bucket : bucketKeys) {
      members.add(
          redis.send("cache_candidates", Request.cmd(Command.SMEMBERS).arg(bucketKey(bucket))));
    }
    return Future.all(members)
        .compose(
            all -> {
              Set<String> ids = new LinkedHashSet<>();
              for (Future<Response> f : members) {
                Response r = f.result();
                if (r != null) {
                  r.forEach(id -> ids.add(id.toString()));
                }
              }
              List<Future<Optional<CacheEntry>>> entries = new ArrayList<>();
              for (String id : ids) {
                if (entries.size() >= limit) {
                  break;
                }
                entries.add(get(id));
              }
              return Future.all(entries)
                  .map(
                      done -> {
                        List<CacheEntry> found = new ArrayList<>();
                        entries.forEach(e -> e.result().ifPresent(found::add));
                        return found;
                      });
            });
  }

  /** Unknown without scanning Redis: -1. */
  @Override
  public long size() {
    return -1;
  }

  /** The connection is the router's: nothing to close here. */
  @Override
  public void close() {}
}
