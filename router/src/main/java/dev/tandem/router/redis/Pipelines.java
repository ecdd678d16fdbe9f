package dev.tandem.router.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A fixed number of long-lived Redis connections that commands are pipelined over, in turn. A
 * connection is opened on first use, and dropped when it fails, closes or cannot be opened, so the
 * next command through its slot opens a new one (after a Redis restart, a Sentinel failover or a
 * Cluster change).
 *
 * <p>Threading: thread-safe; {@link #next} from any thread, never blocks.
 */
final class Pipelines {

  private final Redis client;
  private final AtomicReferenceArray<Future<io.vertx.redis.client.RedisConnection>> slots;
  private final AtomicInteger turn = new AtomicInteger();

  Pipelines(Redis client, int size) {
    this.client = client;
    this.slots = new AtomicReferenceArray<>(size);
  }

  /** The next connection in turn, opening it if needed. */
  Future<io.vertx.redis.client.RedisConnection> next() {
    int slot = Math.floorMod(turn.getAndIncrement(), slots.length());
    while (true) {
      Future<io.vertx.redis.client.RedisConnection> current = slots.get(slot);
      if (current != null && !current.failed()) {
        return current; // open, or opening
      }
      Promise<io.vertx.redis.client.RedisConnection> opening = Promise.promise();
      if (slots.compareAndSet(slot, current, opening.future())) {
        open(slot, opening);
        return opening.future();
      }
    }
  }

  private void open(int slot, Promise<io.vertx.redis.client.RedisConnection> opening) {
    Future<io.vertx.redis.client.RedisConnection> mine = opening.future();
    client
        .connect()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                slots.compareAndSet(slot, mine, null);
                opening.fail(ar.cause());
                return;
              }
              io.vertx.redis.client.RedisConnection connection = ar.result();
              connection.exceptionHandler(
                  e -> {
                    if (slots.compareAndSet(slot, mine, null)) {
                      connection.close();
                    }
                  });
              connection.endHandler(v -> slots.compareAndSet(slot, mine, null));
              opening.complete(connection);
            });
  }

  /**
   * Closes {@code connection} and frees its slot: it did not answer in time, and a connection that
   * may be half-open is not worth keeping (its other commands fail now instead of at their
   * timeouts).
   */
  void discard(Future<io.vertx.redis.client.RedisConnection> connection) {
    for (int i = 0; i < slots.length(); i++) {
      if (slots.compareAndSet(i, connection, null)) {
        connection.onSuccess(io.vertx.redis.client.RedisConnection::close);
        return;
      }
    }
  }

  void close() {
    for (int i = 0; i < slots.length(); i++) {
      Future<io.vertx.redis.client.RedisConnection> f = slots.getAndSet(i, null);
      if (f != null) {
        f.onSuccess(io.vertx.redis.client.RedisConnection::close);
      }
    }
  }
}
