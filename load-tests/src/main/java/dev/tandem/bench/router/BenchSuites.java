package dev.tandem.bench.router;

import dev.tandem.bench.net.TcpRelay;
import dev.tandem.router.boot.TandemRouter;
import dev.tandem.router.config.FileConfigSource;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.config.TandemConfig.NetTransport;
import dev.tandem.router.connections.NetTransports;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.router.synthetic.SyntheticRouter;
import dev.tandem.verifier.engine.EngineOptions;
import dev.tandem.verifier.server.VerifierServer;
import dev.tandem.verifier.server.VerifierServerOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Starts the router (and, for the remote profile, a verifier server behind a delaying {@link
 * TcpRelay}) inside this JVM on loopback ports, drives it with {@link StreamClient} and prints the
 * results. Each suite starts and stops its own servers.
 */
public final class BenchSuites {

  private final Path home;
  private final Path configFile;
  private final PrintStream out;
  private final Consumer<String> progress;

  /**
   * @param configFile merged over the embedded default (null for none); the suites override the
   *     port and, for remote and overhead, the tiers
   */
  public BenchSuites(Path home, Path configFile, PrintStream out, Consumer<String> progress) {
    this.home = home;
    this.configFile = configFile;
    this.out = out;
    this.progress = progress;
  }

  /** Setting (a): in-process verifier and drafter on this CPU. */
  public void real(List<String> workloads, int requests) throws IOException {
    List<Workload> loaded = load(workloads, requests);
    inProcess(
        client -> {
          new SpeculationBench(client, out)
              .run(
                  "(a) everything in-process on this CPU (verifier and drafter share the model executor)",
                  loaded);
          return null;
        });
  }

  /** Setting (b): {@link #remoteProfile} with the speculation comparison. */
  public void remote(List<String> workloads, int requests, long delayMs) throws IOException {
    List<Workload> loaded = load(workloads, requests);
    remoteProfile(
        delayMs,
        client -> {
          new SpeculationBench(client, out)
              .run(
                  "(b) remote-verifier profile: a relay adds "
                      + delayMs
                      + " ms round trip to every verifier call (a network hop); model compute"
                      + " is real",
                  loaded);
          return null;
        });
  }

  /**
   * Served plain decoding vs. the runtime's own decode loop on the default tier's model, in one
   * run; then (optionally) the thread hand-off latencies.
   */
  public void servedStep(List<String> workloads, int requests, int rounds, boolean handoffs)
      throws Exception {
    ServedStepBench.run(
        this,
        home.resolve("fixtures/models/tandem-verifier"),
        load(workloads, requests),
        rounds,
        out);
    if (handoffs) {
      new HandoffBench(out).run();
    }
  }

  /** The policy bench's variant names, in the order they run ({@code --variants}). */
  public static final List<String> POLICY_VARIANTS = List.copyOf(PolicySweep.BY_NAME.keySet());

  /** The variants the policy bench runs by default. */
  public static final List<String> DEFAULT_POLICY_VARIANTS = PolicySweep.DEFAULT_VARIANTS;

  /**
   * The draft-length policy at rising load ({@link PolicySweep}) over the mixed workload (requests
   * of every workload in turn, max_tokens capped at {@code maxTokens}), in-process and/or through
   * the remote profile.
   */
  public void policy(
      List<String> profiles,
      List<String> workloads,
      List<Integer> levels,
      int rounds,
      int requestsPerStream,
      int maxTokens,
      long delayMs,
      double sloTpotMillis,
      List<String> variants,
      RemoteServer remoteServer)
      throws IOException {
    List<Workload> loaded = load(workloads, 30);
    List<dev.tandem.proto.v1.GenerateRequest> mixed = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      for (Workload w : loaded) {
        if (i < w.requests().size()) {
          var r = w.requests().get(i);
          mixed.add(r.toBuilder().setMaxTokens(Math.min(maxTokens, r.getMaxTokens())).build());
        }
      }
    }
    for (String profile : profiles) {
      Body<Void> sweep =
          client -> {
            try {
              new PolicySweep(client, out, sloTpotMillis, variants)
                  .run(
                      profile.equals("remote")
                          ? "remote profile ("
                              + delayMs
                              + " ms per verifier call"
                              + (remoteServer == RemoteServer.OWN_CPU
                                  ? "; verifier server in its own JVM on its own CPU"
                                  : "")
                              + ")"
                          : "everything in-process",
                      mixed,
                      levels,
                      rounds,
                      requestsPerStream);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException(e);
            }
            return null;
          };
      if (profile.equals("remote")) {
        remoteProfile(delayMs, remoteServer, sweep);
      } else {
        inProcess(sweep);
      }
    }
  }

  /** Runs {@code body} against the router of setting (a): in-process verifier and drafter. */
  public <T> T inProcess(Body<T> body) throws IOException {
    // Every request goes to the default tier (the verifier model): routing by complexity would
    // send some to the small tier, which serves alone and allows no model drafter.
    JsonObject overrides =
        new JsonObject()
            .put("server", new JsonObject().put("port", 0))
            .put("routing", new JsonObject().put("auto", "default_tier"))
            // Requests repeat across rounds and variants: every one must be generated.
            .put("cache", noCache());
    return withRouter(overrides, body);
  }

  /** Sessions the remote profile's server holds open at once (the policy bench's 128 streams). */
  private static final int REMOTE_MAX_SESSIONS = 512;

  /** Where the remote profile's verifier server runs. */
  public enum RemoteServer {
    /** In this JVM, on the cores the router, relay and client use too. */
    SAME_JVM,
    /**
     * In a JVM of its own pinned to the last CPU, this one to the others ({@link VerifierProcess}).
     */
    OWN_CPU
  }

  /** {@link #remoteProfile(long, RemoteServer, Body)} with the server in this JVM. */
  public <T> T remoteProfile(long delayMs, Body<T> body) throws IOException {
    return remoteProfile(delayMs, RemoteServer.SAME_JVM, body);
  }

  /**
   * Runs {@code body} against the router of setting (b): the verifier server behind a TCP relay
   * that holds every byte {@code delayMs / 2} each way, so each verifier call takes one {@code
   * delayMs} round trip longer, as a remote GPU box would. The server itself runs unchanged, where
   * {@code placement} says.
   */
  public <T> T remoteProfile(long delayMs, RemoteServer placement, Body<T> body)
      throws IOException {
    Vertx vertx = Vertx.vertx();
    Path model = home.resolve("fixtures/models/tandem-verifier");
    VerifierServer server = null;
    VerifierProcess child = null;
    int serverPort;
    if (placement == RemoteServer.OWN_CPU) {
      child = new VerifierProcess(model, REMOTE_MAX_SESSIONS);
      serverPort = child.port;
    } else {
      server =
          VerifierServer.loading(
              model,
              VerifierServerOptions.DEFAULTS
                  .withHost("127.0.0.1")
                  .withPort(0)
                  .withEngine(EngineOptions.DEFAULTS.withMaxSessions(REMOTE_MAX_SESSIONS)));
      serverPort = join(server.start(vertx));
    }
    TcpRelay relay =
        new TcpRelay(vertx, "127.0.0.1", serverPort, Duration.ofNanos(delayMs * 500_000L));
    try {
      int port = join(relay.start());
      JsonObject tier =
          new JsonObject()
              .put("name", "large")
              .put("verifier", "grpc")
              .put("model", model.toString())
              .put("endpoints", new JsonArray().add("127.0.0.1:" + port))
              .put("price_per_1k_tokens_usd", 0.002);
      JsonObject overrides =
          new JsonObject()
              .put("server", new JsonObject().put("port", 0))
              .put("tiers", new JsonArray().add(tier))
              .put("cache", noCache());
      return withRouter(overrides, body);
    } finally {
      try {
        join(relay.close());
        if (server != null) {
          join(server.close());
        }
      } finally {
        if (child != null) {
          child.close(); // also gives this JVM all CPUs back
        }
        vertx.close();
      }
    }
  }

  /** Where the overhead suite's load client runs. */
  public enum ClientPlacement {
    /** A JVM of its own ({@link ClientProcess}): the router's pauses and costs alone. */
    PROCESS,
    /** This JVM, on a Vert.x of its own ({@link StreamFleet}). */
    IN_PROCESS
  }

  /** HTTP/2 connections the overhead suite's client spreads its streams over. */
  public static final int OVERHEAD_CONNECTIONS = 4;

  /**
   * What recording metrics costs: the overhead bench at {@code streams} with metrics off, on, off,
   * on (one router each, same run), then CPU per chunk (router + client) and added latency side by
   * side.
   */
  public void metricsCost(int streams, int steps, double paceMs) {
    List<String> rows = new ArrayList<>();
    for (boolean on : List.of(false, true, false, true)) {
      RouterMetrics metrics =
          on ? RouterMetrics.enabled(RouterMetrics.newRegistry()) : RouterMetrics.disabled();
      out.printf("%n##### metrics %s%n", on ? "on" : "off");
      try (SyntheticRouter router = new SyntheticRouter(paceMs, 1.0, 100_000, metrics)) {
        try (StreamFleet client =
            StreamFleet.plaintext("127.0.0.1", router.port, OVERHEAD_CONNECTIONS)) {
          OverheadBench.Level level =
              OverheadBench.overSynthetic(client, router.backend, out, paceMs)
                  .report(List.of(streams), steps)
                  .levels()
                  .get(0);
          rows.add(row(on ? "on" : "off", level));
        }
      }
    }
    out.printf("%n#### Metrics on vs off (%d streams, alternating, same run)%n%n", streams);
    out.println(
        "| metrics | streams | CPU µs per chunk | allocated KB per chunk | added p50 ms | added p99 ms |");
    out.println("|---|---:|---:|---:|---:|---:|");
    rows.forEach(out::println);
  }

  /**
   * What TLS costs: the overhead bench at {@code streams} over plaintext, TLS (OpenSSL engine on
   * both sides, a self-signed certificate made now), plaintext, TLS; one router each, same run.
   */
  public void tlsCost(int streams, int steps, double paceMs) {
    io.vertx.core.net.SelfSignedCertificate cert =
        io.vertx.core.net.SelfSignedCertificate.create("localhost");
    TandemConfig.Tls tls =
        new TandemConfig.Tls(
            Path.of(cert.certificatePath()), Path.of(cert.privateKeyPath()), Optional.empty());
    List<String> rows = new ArrayList<>();
    for (boolean on : List.of(false, true, false, true)) {
      out.printf(
          "%n##### %s%n",
          on ? "TLS (" + dev.tandem.verifier.tls.Tls.engineName() + ")" : "plaintext");
      try (SyntheticRouter router =
          new SyntheticRouter(
              paceMs,
              1.0,
              100_000,
              RouterMetrics.disabled(),
              on ? Optional.of(tls) : Optional.empty())) {
        try (StreamFleet client =
            new StreamFleet(
                Vertx.vertx(),
                OVERHEAD_CONNECTIONS,
                v ->
                    on
                        ? StreamClient.overTls(v, "localhost", router.port, tls.cert())
                        : new StreamClient(v, "127.0.0.1", router.port),
                true)) {
          rows.add(
              row(
                  on ? "tls" : "plaintext",
                  OverheadBench.overSynthetic(client, router.backend, out, paceMs)
                      .report(List.of(streams), steps)
                      .levels()
                      .get(0)));
        }
      }
    }
    out.printf("%n#### TLS vs plaintext (%d streams, alternating, same run)%n%n", streams);
    out.println(
        "| transport | streams | CPU µs per chunk | allocated KB per chunk | added p50 ms | added p99 ms |");
    out.println("|---|---:|---:|---:|---:|---:|");
    rows.forEach(out::println);
  }

  private static String row(String variant, OverheadBench.Level level) {
    return String.format(
        "| %s | %d | %.1f | %.2f | %.2f | %.2f |",
        variant,
        level.streams(),
        level.spent().cpuNanos() / 1e3 / level.chunks(),
        level.spent().allocatedBytes() / 1024.0 / level.chunks(),
        level.added().at(50),
        level.added().at(99));
  }

  /**
   * Router overhead over the synthetic backend: the router's transports and engine over a verifier
   * and drafter that cost nothing ({@link SyntheticRouter}, every draft token right). Prints its
   * table; returns the lone stream and each level.
   */
  public OverheadBench.Result overheadLevels(
      List<Integer> streams,
      int steps,
      double paceMs,
      ClientPlacement placement,
      SyntheticRouter.Pacing pacing,
      NetTransport transport) {
    try (SyntheticRouter router = new SyntheticRouter(paceMs, 1.0, 100_000, pacing, transport);
        ChunkClient client = client(placement, router.port)) {
      out.printf("%nThe router on %s (--transport).%n", router.transport.description());
      if (pacing == SyntheticRouter.Pacing.SPREAD) {
        out.printf(
            "%nVerdicts released each at its own due time by a thread of its own (--pacing spread),"
                + " stamped when released: its lateness is not counted.%n");
      }
      return OverheadBench.overSynthetic(client, router.backend, out, paceMs)
          .report(streams, steps);
    }
  }

  /**
   * The transport's floor under {@link #overheadLevels}: the same client and levels against
   * Vert.x's gRPC server alone, writing pre-encoded chunks at the same pace ({@link
   * BareStreamServer}).
   */
  public void transport(
      List<Integer> streams,
      int steps,
      double paceMs,
      ClientPlacement placement,
      NetTransport transport) {
    try (BareStreamServer server = new BareStreamServer(paceMs, transport);
        ChunkClient client = client(placement, server.port)) {
      out.printf("%nThe server on %s (--transport).%n", server.transport.description());
      new OverheadBench(
              client,
              server::watchReleases,
              "Transport floor (Vert.x gRPC server alone: pre-encoded 4-token chunks, one every %.0f"
                  + " ms per stream, no Tandem code)",
              out,
              paceMs)
          .report(streams, steps);
    }
  }

  private static ChunkClient client(ClientPlacement placement, int port) {
    return switch (placement) {
      case PROCESS -> new ClientProcess("127.0.0.1", port, OVERHEAD_CONNECTIONS);
      case IN_PROCESS -> StreamFleet.plaintext("127.0.0.1", port, OVERHEAD_CONNECTIONS);
    };
  }

  /** The response cache off: a benchmark's repeated requests must each be generated. */
  private static JsonObject noCache() {
    return new JsonObject()
        .put("exact", new JsonObject().put("enabled", false))
        .put("semantic", new JsonObject().put("enabled", false));
  }

  /** What a suite does with a running router, through a client of its own. */
  public interface Body<T> {
    T run(StreamClient client) throws IOException;
  }

  /** The first {@code requests} lines of each named workload. */
  public List<Workload> load(List<String> names, int requests) throws IOException {
    List<Workload> workloads = new ArrayList<>();
    for (String name : names) {
      workloads.add(Workload.load(home.resolve("fixtures/workloads/" + name + ".jsonl"), requests));
    }
    return workloads;
  }

  private <T> T withRouter(JsonObject overrides, Body<T> body) throws IOException {
    TandemConfig config =
        FileConfigSource.readOnce(home, Optional.ofNullable(configFile), overrides);
    // On the transport `tandem serve` would run it on (server.transport).
    Vertx vertx = NetTransports.vertx(NetTransports.choose(config.server()));
    try (TandemRouter router = TandemRouter.start(vertx, config, progress)) {
      Vertx clientVertx = Vertx.vertx();
      try (StreamClient client = new StreamClient(clientVertx, "127.0.0.1", router.port())) {
        return body.run(client);
      } finally {
        clientVertx.close();
      }
    } finally {
      vertx.close();
    }
  }

  private static <T> T join(io.vertx.core.Future<T> future) {
    return future.toCompletionStage().toCompletableFuture().join();
  }
}
