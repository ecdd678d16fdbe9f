package dev.tandem.router.redis;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Whether Redis answers: up until a command fails for want of Redis (refused, closed, timed out),
 * down until a command or probe succeeds again. Each change is logged once (WARNING going down,
 * INFO coming back), exported as the gauge {@code tandem_redis_up} (1 or 0) and told to listeners;
 * every failed command counts in {@code tandem_redis_errors_total{op}}.
 *
 * <p>Threading: thread-safe; called from event loops on every command's completion. Listeners run
 * on the thread that saw the change and must not block.
 */
public final class RedisHealth {

  private static final Logger LOG = Logger.getLogger(RedisHealth.class.getName());

  private final String where;
  private final MeterRegistry registry;
  private final AtomicBoolean up = new AtomicBoolean(true);
  private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
  private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();

  /**
   * @param where what to name in log lines (the endpoints)
   * @param registry where the gauge and counters go
   */
  public RedisHealth(String where, MeterRegistry registry) {
    this.where = where;
    this.registry = registry;
    Gauge.builder("tandem.redis.up", up, u -> u.get() ? 1 : 0)
        .description("1 while Redis answers, 0 while it is down or slower than redis.timeout_ms")
        .register(registry);
  }

  public boolean isUp() {
    return up.get();
  }

  /** Tells {@code listener} about every change: true when Redis came back, false when it went. */
  public void onChange(Consumer<Boolean> listener) {
    listeners.add(listener);
  }

  /** A command was answered. */
  void succeeded() {
    if (up.compareAndSet(false, true)) {
      LOG.info("redis " + where + " is answering again");
      listeners.forEach(l -> l.accept(true));
    }
  }

  /** A command failed because Redis was not there or too slow. */
  void unavailable(String op, Throwable cause) {
    error(op);
    if (up.compareAndSet(true, false)) {
      LOG.warning(
          "redis "
              + where
              + " is unavailable ("
              + op
              + ": "
              + cause.getMessage()
              + "); budgets apply redis.on_failure until it answers again");
      listeners.forEach(l -> l.accept(false));
    }
  }

  /** A command failed with a Redis error reply (Redis itself is there). */
  void error(String op) {
    errors
        .computeIfAbsent(
            op,
            o ->
                Counter.builder("tandem.redis.errors")
                    .description("Redis commands that failed or timed out, by operation")
                    .tag("op", o)
                    .register(registry))
        .increment();
  }

  /** Failed commands of {@code op} so far (for tests and benchmarks). */
  public long errors(String op) {
    Counter c = errors.get(op);
    return c == null ? 0 : (long) c.count();
  }
}
