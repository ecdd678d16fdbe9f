package dev.tandem.router.redis;

import dev.tandem.router.config.TandemConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A small Redis Cluster for tests: three masters (no replicas) on free loopback ports, each a
 * {@link RedisServerProcess} with {@code cluster-enabled}, joined with {@code redis-cli --cluster
 * create} and waited for until every node says {@code cluster_state:ok}.
 *
 * <p>Threading: one test thread.
 */
public final class RedisClusterProcess implements AutoCloseable {

  private static final Duration READY_BOUND = Duration.ofSeconds(30);

  private final List<RedisServerProcess> nodes = new ArrayList<>();

  private RedisClusterProcess() {}

  public static RedisClusterProcess start() {
    RedisClusterProcess cluster = new RedisClusterProcess();
    try {
      for (int i = 0; i < 3; i++) {
        cluster.nodes.add(
            RedisServerProcess.start(
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"));
      }
      List<String> create = new ArrayList<>(List.of(cli(), "--cluster", "create"));
      cluster.nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      run(create);
      long deadline = System.nanoTime() + READY_BOUND.toNanos();
      while (!cluster.ready()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the cluster was not ok within " + READY_BOUND);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private boolean ready() {
    for (RedisServerProcess n : nodes) {
      String info = run(List.of(cli(), "-p", Integer.toString(n.port()), "cluster", "info"));
      if (!info.contains("cluster_state:ok")) {
        return false;
      }
    }
    return true;
  }

  private static String cli() {
    return RedisServerProcess.binary().replace("redis-server", "redis-cli");
  }

  private static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Cluster config naming every node as a seed. */
  public TandemConfig.Redis config(Duration timeout, String keyPrefix) {
    return new TandemConfig.Redis(
        TandemConfig.RedisMode.CLUSTER,
        nodes.stream().map(n -> URI.create(n.url())).toList(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        timeout,
        TandemConfig.RedisFailurePolicy.FAIL_CLOSED,
        keyPrefix,
        Duration.ofSeconds(30),
        Duration.ofMillis(50),
        400,
        4);
  }

  /** How many keys each node holds (to see that tenants spread over the slots). */
  public List<Long> keysPerNode() {
    List<Long> counts = new ArrayList<>();
    for (RedisServerProcess n : nodes) {
      counts.add(
          Long.parseLong(run(List.of(cli(), "-p", Integer.toString(n.port()), "dbsize")).trim()));
    }
    return counts;
  }

  @Override
  public void close() {
    nodes.forEach(RedisServerProcess::close);
  }
}
