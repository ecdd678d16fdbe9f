package dev.tandem.router.boot;

import dev.tandem.model.Backend;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.router.RouterServer;
import dev.tandem.router.RouterState;
import dev.tandem.router.accounting.AccountingStore;
import dev.tandem.router.accounting.InMemoryAccountingStore;
import dev.tandem.router.accounting.RedisAccountingStore;
import dev.tandem.router.config.ConfigJson;
import dev.tandem.router.config.ConfigSource;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.engine.GenerationEngine;
import dev.tandem.router.http.AdminEndpoint;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.router.redis.RedisConnection;
import dev.tandem.speccore.AcceptanceStatsRegistry;
import dev.tandem.verifier.InProcessVerifier;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * A running router: the model runtime, the server, and the current {@link RouterState}, which a
 * reload replaces atomically. New requests see the new state; running streams finish on the one
 * they started with; what only the old state used (a model no tier serves any more, the client of a
 * removed verifier endpoint) is closed once its last stream ended. A configuration that does not
 * read, validate or build is rejected whole with one log line, and the old one stays.
 *
 * <p>Threading: {@link #start} blocks (model loading) and must not run on an event loop; the CLI
 * calls it from its main thread. Reloads run one at a time on the router's Vert.x context, building
 * the new state on a worker thread.
 */
public final class TandemRouter implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(TandemRouter.class.getName());

  private final Vertx vertx;
  private final ConfigSource source;
  private final Context context;
  private final ResourcePool pool = new ResourcePool();
  private final AtomicReference<RouterState> state = new AtomicReference<>();
  private final List<Object> stateKeys = new ArrayList<>();
  private final RouterMetrics metrics;
  private final AcceptanceStatsRegistry acceptance = new AcceptanceStatsRegistry();
  private TandemConfig startConfig;
  private ModelRuntime runtime;
  private ModelRuntime draftRuntime;
  private RouterStateBuilder builder;
  private AccountingStore store;
  private Optional<RedisConnection> redis = Optional.empty();
  private RouterServer server;
  private ConfigWatcher watcher;
  private Future<JsonObject> lastReload = Future.succeededFuture();
  private int port;

  private TandemRouter(Vertx vertx, ConfigSource source, RouterMetrics metrics) {
    this.vertx = vertx;
    this.source = source;
    this.context = vertx.getOrCreateContext();
    this.metrics = metrics;
  }

  /**
   * Reads the configuration from {@code source}, loads the models and starts serving; watches the
   * config file when there is one and {@code reload.watch} is on.
   *
   * @param progress receives one line per slow step (model loading), for the CLI to show
   * @throws IllegalArgumentException when the configuration is invalid (the message names the key)
   */
  public static TandemRouter start(
      Vertx vertx, ConfigSource source, RouterMetrics metrics, Consumer<String> progress)
      throws IOException {
    TandemConfig config;
    try {
      config = source.load().toCompletionStage().toCompletableFuture().join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    TandemRouter router =
        new TandemRouter(
            vertx, source, config.metrics().enabled() ? metrics : RouterMetrics.disabled());
    try {
      router.build(config, progress);
      return router;
    } catch (IOException | RuntimeException e) {
      router.close();
      throw e;
    }
  }

  /**
   * A router on a fixed configuration (no file to reload from), with metrics on their own registry.
   */
  public static TandemRouter start(Vertx vertx, TandemConfig config, Consumer<String> progress)
      throws IOException {
    return start(
        vertx,
        ConfigSource.fixed(config),
        RouterMetrics.enabled(RouterMetrics.newRegistry()),
        progress);
  }

  private void build(TandemConfig config, Consumer<String> progress) throws IOException {
    startConfig = config;
    runtime = new ModelRuntime(config.runtime().threads());
    sharedState(config.redis());
    // The draft model gets a thread of its own where there is a core for it: drafting then
    // overlaps verifying (see ModelDrafter). On one core it shares the verifier's threads.
    draftRuntime = Runtime.getRuntime().availableProcessors() >= 2 ? new ModelRuntime(1) : null;
    builder =
        new RouterStateBuilder(
            vertx,
            runtime,
            java.util.Optional.ofNullable(draftRuntime),
            ModelOptions.DEFAULT.withBackend(Backend.valueOf(config.runtime().backend().name())),
            pool,
            metrics,
            acceptance,
            progress,
            store,
            redis);
    RouterStateBuilder.Built built = builder.build(config, 1);
    state.set(built.state());
    stateKeys.addAll(built.keys());
    server = new RouterServer(vertx, config, state::get, Optional.of(new Admin()), metrics);
    port = server.start().toCompletionStage().toCompletableFuture().join();
    LOG.info(
        "tandem router on "
            + config.server().host()
            + ":"
            + port
            + (config.tls().isPresent() ? " (tls)" : "")
            + ": "
            + built.summary()
            + " backend="
            + config.runtime().backend().name().toLowerCase(java.util.Locale.ROOT)
            + " threads="
            + config.runtime().threads()
            + source.file().map(f -> " config=" + f).orElse(""));
    if (source.file().isPresent() && config.reload().watch()) {
      watcher = new ConfigWatcher(vertx, context, source, config.reload(), () -> reload("file"));
      watcher.start();
    }
  }

  /**
   * Where budgets and spend live for the router's life: Redis when {@code redis:} is configured
   * (shared with every router pointing at it), else this router's memory.
   */
  private void sharedState(Optional<TandemConfig.Redis> config) {
    if (config.isEmpty()) {
      store = new InMemoryAccountingStore();
      return;
    }
    TandemConfig.Redis r = config.get();
    MeterRegistry registry =
        metrics.isEnabled() ? metrics.registry() : new SimpleMeterRegistry(); // counted, unseen
    RedisConnection connection =
        RedisConnection.open(vertx, r, r.passwordEnv().map(System::getenv), registry);
    redis = Optional.of(connection);
    store = new RedisAccountingStore(vertx, connection, r, Clock.systemUTC(), registry);
  }

  /**
   * Reads the configuration again and applies it when it is valid; one reload at a time.
   *
   * @param trigger who asked ("admin", "file", "SIGHUP"), for the log
   * @return the outcome as JSON (see {@link AdminEndpoint.Actions#reload}); never fails
   */
  public Future<JsonObject> reload(String trigger) {
    return Future.<Future<JsonObject>>future(
            p -> context.runOnContext(v -> p.complete(lastReload = chain(lastReload, trigger))))
        .compose(f -> f);
  }

  private Future<JsonObject> chain(Future<JsonObject> previous, String trigger) {
    return previous.transform(ignored -> new Reload(this, trigger).run());
  }

  /** The state new requests run against. */
  public RouterState state() {
    return state.get();
  }

  /** The port the router listens on. */
  public int port() {
    return port;
  }

  /** The engine new requests run on. */
  public GenerationEngine engine() {
    return state.get().engine();
  }

  /** The router's Redis client, when {@code redis:} is configured. */
  public Optional<RedisConnection> redis() {
    return redis;
  }

  /** Where budgets, quotas and spend live. */
  public AccountingStore accounting() {
    return store;
  }

  /** The metrics the router records. */
  public RouterMetrics metrics() {
    return metrics;
  }

  /** Sessions open on the in-process verifiers (for leak checks). */
  public int openVerifierSessions() {
    return pool.stream(InProcessVerifier.class).mapToInt(v -> v.engine().openSessions()).sum();
  }

  // Reload steps, called by Reload on the router's context.

  TandemConfig startConfig() {
    return startConfig;
  }

  ConfigSource source() {
    return source;
  }

  RouterStateBuilder builder() {
    return builder;
  }

  Vertx vertx() {
    return vertx;
  }

  /** Swaps in {@code built}; the old state's resources are released when its streams have ended. */
  void swap(RouterStateBuilder.Built built) {
    RouterState old = state.getAndSet(built.state());
    List<Object> oldKeys = List.copyOf(stateKeys);
    stateKeys.clear();
    stateKeys.addAll(built.keys());
    old.engine()
        .retire()
        .onComplete(
            drained ->
                vertx.executeBlocking(
                    () -> {
                      for (int i = oldKeys.size() - 1; i >= 0; i--) {
                        pool.release(oldKeys.get(i));
                      }
                      return null;
                    },
                    false));
  }

  Future<Void> updateTls(TandemConfig config) {
    return server.updateTls(config);
  }

  /** The admin endpoints' view of this router. */
  private final class Admin implements AdminEndpoint.Actions {
    @Override
    public Future<JsonObject> reload(String trigger) {
      return TandemRouter.this.reload(trigger);
    }

    @Override
    public JsonObject effectiveConfig() {
      RouterState current = state.get();
      return new JsonObject()
          .put("generation", current.generation())
          .put("loaded_at", current.loadedAt().toString())
          .put("file", source.file().map(Object::toString).orElse(null))
          .put("config", ConfigJson.of(current.config()));
    }
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.stop();
    }
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().join();
    }
    pool.close();
    if (store instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.warning("closing the accounting store: " + e);
      }
    }
    redis.ifPresent(RedisConnection::close);
    if (runtime != null) {
      runtime.close();
    }
    if (draftRuntime != null) {
      draftRuntime.close();
    }
  }
}
