package dev.tandem.router.accounting;

import dev.tandem.router.redis.RedisConnection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps this router's reservations alive in Redis: every third of the lease it pushes the lease of
 * each reservation it still holds ({@code ZADD XX}, one command per tenant). A router that dies
 * stops, and its reservations lapse one lease later; the next script that reads the tenant reclaims
 * them.
 *
 * <p>Threading: {@link #add} and {@link #remove} from any thread; the renewal runs on a Vert.x
 * timer and never blocks.
 */
final class LeaseRenewal implements AutoCloseable {

  /** Most reservations renewed by one command. */
  private static final int BATCH = 512;

  private final RedisConnection redis;
  private final RedisKeys keys;
  private final Clock clock;
  private final long leaseMs;
  private final Map<String, Set<Long>> held = new ConcurrentHashMap<>();
  private final Vertx vertx;
  private final long timer;

  LeaseRenewal(Vertx vertx, RedisConnection redis, RedisKeys keys, Clock clock, long leaseMs) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
    this.leaseMs = leaseMs;
    this.timer = vertx.setPeriodic(Math.max(1, leaseMs / 3), id -> renew());
  }

  void add(Reservation r) {
    held.computeIfAbsent(r.tenantId(), t -> ConcurrentHashMap.newKeySet()).add(r.id());
  }

  void remove(Reservation r) {
    Set<Long> ids = held.get(r.tenantId());
    if (ids != null) {
      ids.remove(r.id());
    }
  }

  /** Pushes every held lease one lease past now; completes when Redis has them all. */
  Future<Void> renew() {
    String until = Long.toString(clock.millis() + leaseMs);
    List<Future<Response>> sent = new ArrayList<>();
    held.forEach(
        (tenant, ids) -> {
          Request request = null;
          int n = 0;
          for (long id : ids) {
            if (request == null) {
              request = Request.cmd(Command.ZADD).arg(keys.leases(tenant)).arg("XX");
            }
            request.arg(until).arg(id);
            if (++n == BATCH) {
              sent.add(redis.send("renew", request));
              request = null;
              n = 0;
            }
          }
          if (request != null) {
            sent.add(redis.send("renew", request)); // a failure is counted; the next round retries
          }
        });
    return Future.all(sent).mapEmpty();
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
  }
}
