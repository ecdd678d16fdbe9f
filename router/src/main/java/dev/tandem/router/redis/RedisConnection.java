package dev.tandem.router.redis;

import dev.tandem.router.config.TandemConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * The router's one client of Redis (standalone, Sentinel or Cluster, TLS with {@code rediss://}),
 * shared by everything that keeps state there. Commands are pipelined over {@code
 * redis.max_pool_size} long-lived connections, taken in turn: a command does not hold a connection
 * for its round trip, so a burst of requests does not queue for connections. Every command is
 * bounded by {@code redis.timeout_ms}: its future fails with {@link RedisUnavailableException} when
 * Redis refuses, drops or does not answer in time, and no caller ever waits longer. While Redis is
 * down ({@link RedisHealth}) commands fail at once without touching the network, and a probe
 * ({@code PING} every {@code redis.probe_interval_ms}) brings the connection back up by itself.
 *
 * <p>Threading: thread-safe; {@link #send} may be called from any thread, event loops included, and
 * never blocks. Futures complete on a Vert.x thread.
 */
public final class RedisConnection implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(RedisConnection.class.getName());

  private final Vertx vertx;
  private final Redis client;
  private final long timeoutMs;
  private final long probeMs;
  private final String where;
  private final RedisHealth health;
  private final Pipelines pipelines;
  private final LongAdder sent = new LongAdder();
  private long probeTimer = -1; // guarded by this
  private volatile boolean closed;

  private RedisConnection(Vertx vertx, Redis client, TandemConfig.Redis config, MeterRegistry m) {
    this.vertx = vertx;
    this.client = client;
    this.timeoutMs = config.timeout().toMillis();
    this.probeMs = config.probeInterval().toMillis();
    this.where = config.endpoints().stream().map(RedisConnection::hostPort).toList().toString();
    this.health = new RedisHealth(where, m);
    this.pipelines = new Pipelines(client, config.maxPoolSize());
    health.onChange(this::stateChanged);
  }

  /**
   * A client for {@code config}; connects lazily (the first command), so a router starts while
   * Redis is down and applies {@code redis.on_failure} until it comes.
   *
   * @param password the value of the variable {@code redis.password_env} names, if any
   * @param registry where {@code tandem_redis_up} and {@code tandem_redis_errors_total} go
   */
  public static RedisConnection open(
      Vertx vertx, TandemConfig.Redis config, Optional<String> password, MeterRegistry registry) {
    NetClientOptions net =
        new NetClientOptions()
            .setConnectTimeout((int) Math.max(1, config.timeout().toMillis()))
            .setTcpNoDelay(true);
    config
        .tlsCa()
        .ifPresent(
            ca ->
                net.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
                    .setHostnameVerificationAlgorithm("HTTPS"));
    RedisOptions options =
        new RedisOptions()
            .setType(
                switch (config.mode()) {
                  case STANDALONE -> RedisClientType.STANDALONE;
                  case SENTINEL -> RedisClientType.SENTINEL;
                  case CLUSTER -> RedisClientType.CLUSTER;
                })
            .setEndpoints(config.endpoints().stream().map(URI::toString).toList())
            // the pipelines hold max_pool_size connections; the pool may open a few more (cluster
            // topology, sentinel lookups)
            .setMaxPoolSize(config.maxPoolSize() + 2)
            .setMaxPoolWaiting(1 << 16)
            .setNetClientOptions(net);
    password.ifPresent(options::setPassword);
    config.masterName().ifPresent(name -> options.setMasterName(name).setRole(RedisRole.MASTER));
    RedisConnection connection =
        new RedisConnection(vertx, Redis.createClient(vertx, options), config, registry);
    // Opens the first connection now (handshake, AUTH) rather than on a request's clock; its
    // outcome is not a health signal: requests' own commands are.
    connection.pipelines.next();
    LOG.info(
        "redis "
            + config.mode().name().toLowerCase(Locale.ROOT)
            + " "
            + connection.where
            + " timeout="
            + config.timeout().toMillis()
            + "ms on_failure="
            + config.onFailure().name().toLowerCase(Locale.ROOT));
    return connection;
  }

  /** Sends {@code request}, labelled in metrics by its command name. */
  public Future<Response> send(Request request) {
    return send(request.command().toString().toLowerCase(Locale.ROOT), request);
  }

  /**
   * Sends {@code request}; fails with {@link RedisUnavailableException} when Redis is down or does
   * not answer within the timeout, or with Redis's error reply.
   *
   * @param op what the command does, for {@code tandem_redis_errors_total{op}} (a fixed set)
   */
  public Future<Response> send(String op, Request request) {
    if (closed) {
      return Future.failedFuture(new RedisUnavailableException("redis client is closed", null));
    }
    if (!health.isUp()) {
      health.error(op);
      return Future.failedFuture(
          new RedisUnavailableException(
              "redis " + where + " is unavailable (retried every " + probeMs + " ms)", null));
    }
    return timed(op, request);
  }

  private Future<Response> timed(String op, Request request) {
    sent.increment();
    Promise<Response> promise = Promise.promise();
    AtomicBoolean ended = new AtomicBoolean(); // the reply and the timer race: one ends it
    Future<io.vertx.redis.client.RedisConnection> connection = pipelines.next();
    long timer =
        vertx.setTimer(
            timeoutMs,
            t -> {
              if (ended.compareAndSet(false, true)) {
                RedisUnavailableException slow =
                    new RedisUnavailableException(
                        "redis "
                            + where
                            + " did not answer "
                            + op
                            + " within "
                            + timeoutMs
                            + " ms (redis.timeout_ms)",
                        null);
                health.unavailable(op, slow); // before the caller hears of it
                pipelines.discard(connection);
                promise.fail(slow);
              }
            });
    connection
        .compose(c -> c.send(request))
        .onComplete(
            ar -> {
              vertx.cancelTimer(timer);
              if (!ended.compareAndSet(false, true)) {
                return; // answered after the timeout: the caller has moved on
              }
              if (ar.succeeded()) {
                health.succeeded();
                promise.complete(ar.result());
              } else if (isOutage(ar.cause())) {
                health.unavailable(op, ar.cause());
                promise.fail(
                    new RedisUnavailableException(
                        "redis " + where + " is unavailable: " + ar.cause().getMessage(),
                        ar.cause()));
              } else {
                health.succeeded(); // Redis answered, with an error
                health.error(op);
                promise.fail(ar.cause());
              }
            });
    return promise.future();
  }

  /**
   * Whether a failure means Redis is not there: anything but an error reply, and the replies that
   * say the server cannot serve now (loading, no master, cluster down).
   */
  private static boolean isOutage(Throwable cause) {
    if (!(cause instanceof Response)) {
      return true;
    }
    String message = String.valueOf(cause.getMessage());
    return message.startsWith("LOADING")
        || message.startsWith("MASTERDOWN")
        || message.startsWith("CLUSTERDOWN")
        || message.startsWith("TRYAGAIN")
        || message.startsWith("READONLY");
  }

  private synchronized void stateChanged(boolean up) {
    if (!up && probeTimer < 0 && !closed) {
      probeTimer = vertx.setPeriodic(probeMs, id -> probe());
    } else if (up && probeTimer >= 0) {
      vertx.cancelTimer(probeTimer);
      probeTimer = -1;
    }
  }

  private void probe() {
    if (!closed && !health.isUp()) {
      timed("ping", Request.cmd(Command.PING));
    }
  }

  public RedisHealth health() {
    return health;
  }

  /** The longest one command may take ({@code redis.timeout_ms}). */
  public Duration timeout() {
    return Duration.ofMillis(timeoutMs);
  }

  /** Commands sent to Redis so far (round trips; fail-fast refusals while down not included). */
  public long commandsSent() {
    return sent.sum();
  }

  /** {@code host:port} of an endpoint URL, for log lines (never the user info). */
  private static String hostPort(URI uri) {
    return uri.getScheme()
        + "://"
        + uri.getHost()
        + ":"
        + (uri.getPort() < 0 ? 6379 : uri.getPort());
  }

  /** The endpoints, as log lines name them. */
  @Override
  public String toString() {
    return where;
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (probeTimer >= 0) {
        vertx.cancelTimer(probeTimer);
        probeTimer = -1;
      }
    }
    pipelines.close();
    client.close();
  }
}
