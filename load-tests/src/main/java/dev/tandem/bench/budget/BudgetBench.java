package dev.tandem.bench.budget;

import dev.tandem.bench.report.Provenance;
import dev.tandem.router.accounting.AccountingStore;
import dev.tandem.router.accounting.Charge;
import dev.tandem.router.accounting.InMemoryAccountingStore;
import dev.tandem.router.accounting.RedisAccountingStore;
import dev.tandem.router.accounting.ReservationRequest;
import dev.tandem.router.accounting.Tenant;
import dev.tandem.router.accounting.TenantLimits;
import dev.tandem.router.cli.TandemHome;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.redis.RedisConnection;
import dev.tandem.router.redis.RedisServerProcess;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code tandem bench budgets}: reservations per second (reserve + settle pairs) with the budgets
 * in this router's memory and with two routers' stores sharing one Redis, alternated in one run,
 * and the Redis round trips each request costs. Every pair holds a real reservation against a
 * tenant with all five limits set (none binding), so the scripts do all their checks.
 *
 * <p>Redis: a private {@code redis-server} (append-only, fsync every second, as production would
 * run it) unless {@code --redis URL} names one.
 */
public final class BudgetBench {

  private final Vertx vertx = Vertx.vertx();
  private final PrintStream out;
  private final int pairs;
  private final int concurrency;
  private final int tenants;

  private BudgetBench(PrintStream out, int pairs, int concurrency, int tenants) {
    this.out = out;
    this.pairs = pairs;
    this.concurrency = concurrency;
    this.tenants = tenants;
  }

  public static void main(String[] args) throws Exception {
    int pairs = 20_000;
    int concurrency = 64;
    int tenants = 8;
    int rounds = 2;
    String url = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pairs" -> pairs = Integer.parseInt(args[++i]);
        case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
        case "--tenants" -> tenants = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--redis" -> url = args[++i];
        default ->
            throw new IllegalArgumentException(
                "usage: tandem bench budgets [--pairs 20000] [--concurrency 64] [--tenants 8]"
                    + " [--rounds 2] [--redis redis://host:port], got "
                    + args[i]);
      }
    }
    BudgetBench bench = new BudgetBench(System.out, pairs, concurrency, tenants);
    RedisServerProcess server =
        url == null ? RedisServerProcess.start("--appendfsync", "everysec") : null;
    try {
      bench.run(url == null ? server.url() : url, rounds);
    } finally {
      if (server != null) {
        server.close();
      }
      bench.vertx.close().await();
    }
  }

  /** One variant's run: pairs per second, pair latency, Redis commands per pair. */
  private record Result(
      String variant,
      double pairsPerSecond,
      double p50Ms,
      double p99Ms,
      double commandsPerPair,
      double routerCpuUs,
      double redisCpuUs) {}

  private void run(String url, int rounds) throws Exception {
    TandemConfig.Redis config = config(url);
    List<Result> results = new ArrayList<>();
    // Warm both paths (JIT, connections, scripts) before measuring.
    measure("warm-up memory", List.of(new InMemoryAccountingStore()), List.of(), pairs / 4);
    try (Routers two = new Routers(config, 2)) {
      measure("warm-up redis", two.stores, two.connections, pairs / 4);
      for (int r = 0; r < rounds; r++) {
        results.add(
            measure("memory (1 router)", List.of(new InMemoryAccountingStore()), List.of(), pairs));
        results.add(measure("redis (2 routers)", two.stores, two.connections, pairs));
      }
    }
    out.println();
    out.println(
        "| store | reservations/s (reserve + settle pairs) | pair p50 ms | pair p99 ms | Redis"
            + " round trips per request | router CPU µs per pair | Redis CPU µs per pair |");
    out.println("|---|---:|---:|---:|---:|---:|---:|");
    for (Result r : results) {
      boolean memory = r.variant().startsWith("memory");
      out.printf(
          "| %s | %,.0f | %.2f | %.2f | %s | %.1f | %s |%n",
          r.variant(),
          r.pairsPerSecond(),
          r.p50Ms(),
          r.p99Ms(),
          memory ? "0" : String.format("%.3f", r.commandsPerPair()),
          r.routerCpuUs(),
          memory ? "-" : String.format("%.1f", r.redisCpuUs()));
    }
    out.println();
    out.printf(
        "%d pairs per run, %d in flight (half per router for redis), %d tenants; %s.%n",
        pairs, concurrency, tenants, url);
    out.println(Provenance.here(TandemHome.path()).line());
  }

  private TandemConfig.Redis config(String url) {
    return new TandemConfig.Redis(
        TandemConfig.RedisMode.STANDALONE,
        List.of(URI.create(url)),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Duration.ofSeconds(5),
        TandemConfig.RedisFailurePolicy.FAIL_CLOSED,
        "bench" + System.nanoTime(),
        Duration.ofSeconds(30),
        Duration.ofSeconds(1),
        1,
        8);
  }

  /** Stores of {@code n} routers, each with its own client of one Redis. */
  private final class Routers implements AutoCloseable {
    final List<AccountingStore> stores = new ArrayList<>();
    final List<RedisConnection> connections = new ArrayList<>();

    Routers(TandemConfig.Redis config, int n) {
      for (int i = 0; i < n; i++) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RedisConnection c = RedisConnection.open(vertx, config, Optional.empty(), registry);
        connections.add(c);
        stores.add(new RedisAccountingStore(vertx, c, config, Clock.systemUTC(), registry));
      }
    }

    @Override
    public void close() {
      stores.forEach(s -> ((RedisAccountingStore) s).close());
      connections.forEach(RedisConnection::close);
    }
  }

  private Result measure(
      String variant, List<AccountingStore> stores, List<RedisConnection> redis, int n)
      throws Exception {
    List<Tenant> who = new ArrayList<>();
    for (int t = 0; t < tenants; t++) {
      // Every limit set, none binding: the scripts check all five.
      who.add(
          new Tenant(
              "tenant-" + t,
              new TenantLimits(
                  Integer.MAX_VALUE,
                  Integer.MAX_VALUE,
                  1_000_000,
                  Long.MAX_VALUE / 4,
                  Long.MAX_VALUE / 2,
                  List.of()),
              Map.of("team", "t" + (t % 3)),
              null,
              null));
    }
    long commandsBefore = redis.stream().mapToLong(RedisConnection::commandsSent).sum();
    double redisCpuBefore = redisCpuSeconds(redis);
    long cpuBefore = processCpuNanos();
    long[] latencies = new long[n];
    AtomicInteger next = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    AtomicInteger running = new AtomicInteger(concurrency);
    long start = System.nanoTime();
    for (int w = 0; w < concurrency; w++) {
      AccountingStore store = stores.get(w % stores.size());
      vertx.runOnContext(v -> loop(store, who, next, n, latencies, running, done));
    }
    done.future().await();
    double seconds = (System.nanoTime() - start) / 1e9;
    double routerCpuUs = (processCpuNanos() - cpuBefore) / 1e3 / n;
    double redisCpuUs = (redisCpuSeconds(redis) - redisCpuBefore) * 1e6 / n;
    long commands = redis.stream().mapToLong(RedisConnection::commandsSent).sum() - commandsBefore;
    Arrays.sort(latencies);
    Result result =
        new Result(
            variant,
            n / seconds,
            latencies[n / 2] / 1e6,
            latencies[(int) (n * 0.99)] / 1e6,
            (double) commands / n,
            routerCpuUs,
            redisCpuUs);
    System.err.printf(
        "tandem: %s: %,.0f pairs/s, p50 %.2f ms, p99 %.2f ms, %.3f round trips per pair,"
            + " CPU per pair %.1f µs router, %.1f µs Redis%n",
        variant,
        result.pairsPerSecond(),
        result.p50Ms(),
        result.p99Ms(),
        result.commandsPerPair(),
        routerCpuUs,
        redisCpuUs);
    return result;
  }

  /** CPU time of this JVM (the routers' side: stores, clients, event loops). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Redis's own CPU time (INFO cpu, user + sys), or 0 without Redis. */
  private static double redisCpuSeconds(List<RedisConnection> redis) {
    if (redis.isEmpty()) {
      return 0;
    }
    String info = redis.get(0).send(Request.cmd(Command.INFO).arg("cpu")).await().toString();
    double seconds = 0;
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
        seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return seconds;
  }

  /**
   * One in-flight chain: reserve, settle, next, until {@code n} pairs are done. Pairs that complete
   * at once (the in-memory store) are looped over here rather than recursed into.
   */
  private void loop(
      AccountingStore store,
      List<Tenant> who,
      AtomicInteger next,
      int n,
      long[] latencies,
      AtomicInteger running,
      Promise<Void> done) {
    while (true) {
      int i = next.getAndIncrement();
      if (i >= n) {
        if (running.decrementAndGet() == 0) {
          done.complete();
        }
        return;
      }
      Tenant tenant = who.get(i % who.size());
      long t0 = System.nanoTime();
      Future<?> pair =
          store
              .reserve(new ReservationRequest(tenant, 2_000, 300, Instant.now()))
              .compose(
                  r ->
                      store.settle(
                          r, new Charge(1_000 + i % 1_000, 250, "large", tenant.defaultTags())));
      if (!pair.isComplete()) {
        pair.onComplete(
            ar -> {
              if (ended(ar.failed() ? ar.cause() : null, i, t0, latencies, done)) {
                loop(store, who, next, n, latencies, running, done);
              }
            });
        return;
      }
      if (!ended(pair.failed() ? pair.cause() : null, i, t0, latencies, done)) {
        return;
      }
    }
  }

  /** Records pair {@code i}; false when it failed (the run fails). */
  private static boolean ended(
      Throwable failure, int i, long t0, long[] latencies, Promise<Void> done) {
    if (failure != null) {
      done.tryFail(failure);
      return false;
    }
    latencies[i] = System.nanoTime() - t0;
    return true;
  }
}
