package dev.tandem.verifier.client;

import dev.tandem.proto.v1.VerifierGrpcClient;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.Verifier;
import dev.tandem.speccore.VerifierSession;
import dev.tandem.verifier.engine.ScoringLoad;
import dev.tandem.verifier.tls.Tls;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.grpc.client.GrpcClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * {@link Verifier} backed by remote Tandem verifier servers ({@code tandem.v1.Verifier/Session}):
 * each session is one bidi stream pinned to the server that holds its KV cache. New sessions go to
 * the healthy server with the fewest sessions of this client (least outstanding); {@code GET
 * /health} is polled on every server and one that fails two checks in a row gets no new sessions
 * until it passes again (a single missed check is a busy server as often as a dead one); a
 * per-endpoint circuit breaker ({@link CircuitBreakerOptions}) keeps a server that keeps failing
 * out of rotation between probes. A session whose server goes away, stalls past the call timeout,
 * drains or falls out of step is moved to another server at the same position ({@link
 * FailoverSession}); when no failover is left the pending call fails with {@link
 * VerifierUnavailableException} naming what happened.
 *
 * <p>Threading: {@link #open} and the sessions' methods may be called from any thread; all state
 * lives on one Vert.x context and the returned stages complete on its event loop.
 */
public final class GrpcVerifier implements Verifier, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(GrpcVerifier.class.getName());

  private final Vertx vertx;
  private final GrpcVerifierOptions options;
  private final Context context;
  private final GrpcClient grpc;
  private final HttpClient http;
  private final List<Endpoint> endpoints = new ArrayList<>();
  private final long healthTimer;
  private final CallDeadlines deadlines;
  private int nextTieBreak;
  private volatile List<EndpointStatus> published = List.of();

  public GrpcVerifier(Vertx vertx, GrpcVerifierOptions options) {
    this(vertx, options, System::nanoTime);
  }

  /**
   * @param nanoClock the circuit breakers' clock ({@link System#nanoTime()} but in tests)
   */
  public GrpcVerifier(Vertx vertx, GrpcVerifierOptions options, LongSupplier nanoClock) {
    this.vertx = vertx;
    this.options = options;
    this.context = vertx.getOrCreateContext();
    // HTTP/2 with prior knowledge in plaintext (what GrpcClient.client(vertx) does), ALPN with TLS.
    HttpClientOptions grpcOptions =
        new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_2)
            .setHttp2ClearTextUpgrade(false);
    HttpClientOptions healthOptions = new HttpClientOptions();
    options
        .tls()
        .ifPresent(
            tls -> {
              Tls.apply(grpcOptions, tls);
              Tls.apply(healthOptions, tls);
            });
    this.grpc = GrpcClient.client(vertx, grpcOptions);
    this.http = vertx.createHttpClient(healthOptions);
    for (String endpoint : options.endpoints()) {
      endpoints.add(new Endpoint(endpoint, options.breaker(), nanoClock, this::breakerChanged));
    }
    this.deadlines = new CallDeadlines(vertx, options.callTimeout(), System::nanoTime);
    this.healthTimer =
        vertx.setPeriodic(
            0, options.healthInterval().toMillis(), id -> context.runOnContext(v -> checkHealth()));
  }

  @Override
  public String name() {
    return options.model().isEmpty() ? "remote" : options.model();
  }

  @Override
  public CompletionStage<VerifierSession> open(
      int[] promptTokens, SamplingParams params, int maxLength) {
    CompletableFuture<VerifierSession> opened = new CompletableFuture<>();
    int[] prompt = promptTokens.clone();
    context.runOnContext(
        v ->
            new FailoverSession(this, context, prompt, params, maxLength, options.maxFailovers())
                .open(opened));
    return opened;
  }

  /** Starts one session on {@code endpoint}; on the context. */
  RemoteSession start(
      Endpoint endpoint,
      int[] tokens,
      SamplingParams params,
      int maxLength,
      boolean resume,
      CompletableFuture<VerifierSession> opened) {
    endpoint.outstanding++;
    RemoteSession session = new RemoteSession(context, endpoint, params, deadlines);
    session.start(
        grpc.request(endpoint.address, VerifierGrpcClient.Session),
        options.model(),
        tokens,
        maxLength,
        resume,
        opened);
    return session;
  }

  List<String> endpointNames() {
    return options.endpoints();
  }

  /**
   * True when a server of this tier said with its last verdict that its scoring is throughput-bound
   * (other sessions shared its compute and positions cost it throughput: {@link
   * ScoringLoad#throughputBound}). Any thread.
   */
  @Override
  public boolean throughputBound() {
    for (Endpoint endpoint : endpoints) {
      if (endpoint.load.throughputBound()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The call cost the throughput-bound servers of this tier reported with their last verdicts (the
   * largest; {@link ScoringLoad#callCostRows}), 0 when none is throughput-bound. Any thread.
   */
  @Override
  public double callCostPositions() {
    double rows = 0;
    for (Endpoint endpoint : endpoints) {
      ScoringLoad load = endpoint.load;
      if (load.throughputBound()) {
        rows = Math.max(rows, load.callCostRows());
      }
    }
    return rows;
  }

  /**
   * What one more scored position adds to the verifies waiting on the same forward of a server of
   * this tier, as the servers reported it with their last verdicts (the largest; {@link
   * ScoringLoad#rowCostToOthersNanos}). Any thread.
   */
  @Override
  public double positionCostToOthersNanos() {
    double nanos = 0;
    for (Endpoint endpoint : endpoints) {
      nanos = Math.max(nanos, endpoint.load.rowCostToOthersNanos());
    }
    return nanos;
  }

  /**
   * Each endpoint's state now: health check, circuit breaker, sessions this client holds. Any
   * thread (a snapshot taken on the context).
   */
  public Future<List<EndpointStatus>> endpointStatus() {
    Promise<List<EndpointStatus>> promise = Promise.promise();
    context.runOnContext(v -> promise.complete(snapshot()));
    return promise.future();
  }

  /**
   * Each endpoint's state as of its last change, without waiting: for metrics gauges. Republished
   * after every health-check round and whenever a circuit breaker changes state (an open circuit
   * also when its open time is up). Any thread.
   */
  public List<EndpointStatus> lastEndpointStatus() {
    return published;
  }

  /**
   * A breaker moved to {@code state}: republish at once, and once more when an open circuit's time
   * is up (it turns half-open only when read). On the context (breakers change there).
   */
  private void breakerChanged(BreakerState state) {
    published = snapshot();
    if (state == BreakerState.OPEN) {
      vertx.setTimer(
          Math.max(1, options.breaker().openDuration().toMillis()),
          id -> context.runOnContext(v -> published = snapshot()));
    }
  }

  private List<EndpointStatus> snapshot() {
    return endpoints.stream()
        .map(
            e ->
                new EndpointStatus(
                    e.name,
                    e.healthy,
                    e.failedChecks(),
                    e.breaker.state(),
                    e.breaker.consecutiveFailures(),
                    e.outstanding))
        .toList();
  }

  /** Health as last checked, by endpoint ({@code host:port}); for tests and admin views. */
  public Future<List<String>> healthyEndpoints() {
    Promise<List<String>> promise = Promise.promise();
    context.runOnContext(
        v -> promise.complete(endpoints.stream().filter(e -> e.healthy).map(e -> e.name).toList()));
    return promise.future();
  }

  /** Sessions this client holds per endpoint ({@code host:port}), for tests and admin views. */
  public Future<java.util.Map<String, Integer>> outstandingSessions() {
    Promise<java.util.Map<String, Integer>> promise = Promise.promise();
    context.runOnContext(
        v -> {
          java.util.Map<String, Integer> counts = new java.util.LinkedHashMap<>();
          endpoints.forEach(e -> counts.put(e.name, e.outstanding));
          promise.complete(counts);
        });
    return promise.future();
  }

  /** Stops health checks and closes the clients (open sessions' streams are reset). */
  @Override
  public void close() {
    vertx.cancelTimer(healthTimer);
    grpc.close();
    http.close();
  }

  /**
   * Least outstanding sessions among the endpoints that admit new sessions (healthy, circuit not
   * open) and are not in {@code excluded}; ties rotate. A half-open endpoint takes one probe at a
   * time. Null when none is left. On the context.
   */
  Endpoint choose(Set<Endpoint> excluded) {
    List<Endpoint> candidates = new ArrayList<>();
    int n = endpoints.size();
    for (int i = 0; i < n; i++) {
      Endpoint candidate = endpoints.get((nextTieBreak + i) % n);
      if (candidate.admits() && !excluded.contains(candidate)) {
        candidates.add(candidate);
      }
    }
    nextTieBreak++;
    candidates.sort(Comparator.comparingInt(e -> e.outstanding)); // stable: rotation breaks ties
    for (Endpoint candidate : candidates) {
      if (candidate.breaker.tryAcquire()) {
        return candidate;
      }
    }
    return null;
  }

  private void checkHealth() {
    published = snapshot();
    // At least 1 s: a busy server answers late, which is not the same as being down.
    long timeout = Math.max(1000, options.healthInterval().toMillis());
    for (Endpoint endpoint : endpoints) {
      if (endpoint.checking) {
        continue;
      }
      endpoint.checking = true;
      RequestOptions request =
          new RequestOptions()
              .setMethod(HttpMethod.GET)
              .setServer(endpoint.address)
              .setHost(endpoint.address.host())
              .setPort(endpoint.address.port())
              .setURI("/health")
              .setConnectTimeout(timeout)
              .setIdleTimeout(timeout);
      http.request(request)
          .compose(req -> req.send())
          .compose(HttpClientResponse::body)
          .onComplete(
              result -> {
                endpoint.checking = false;
                boolean passed = result.succeeded();
                if (endpoint.checked(passed)) {
                  LOG.info(
                      () ->
                          "verifier server "
                              + endpoint
                              + (passed
                                  ? " is healthy"
                                  : " failed "
                                      + Endpoint.FAILED_CHECKS_TO_UNHEALTHY
                                      + " health checks in a row, the last: "
                                      + result.cause()));
                }
                published = snapshot();
              });
    }
  }
}
