package dev.tandem.router.boot;

import dev.tandem.draft.ModelDrafter;
import dev.tandem.draft.NoDrafter;
import dev.tandem.draft.PromptLookupDrafter;
import dev.tandem.model.Model;
import dev.tandem.model.ModelConfig;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Quantization;
import dev.tandem.model.Tokenizer;
import dev.tandem.router.RouterState;
import dev.tandem.router.accounting.AccountingStore;
import dev.tandem.router.accounting.BudgetAlerts;
import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import dev.tandem.router.cache.CacheSettings;
import dev.tandem.router.cache.CacheStore;
import dev.tandem.router.cache.DraftModelEmbedder;
import dev.tandem.router.cache.Embedder;
import dev.tandem.router.cache.HashedNgramEmbedder;
import dev.tandem.router.cache.InMemoryCacheStore;
import dev.tandem.router.cache.RedisCacheStore;
import dev.tandem.router.cache.ResponseCache;
import dev.tandem.router.config.ConfigException;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.config.TandemConfig.DrafterKind;
import dev.tandem.router.engine.GenerationEngine;
import dev.tandem.router.engine.SpeculationSettings;
import dev.tandem.router.engine.Tier;
import dev.tandem.router.engine.TierDrafters;
import dev.tandem.router.metrics.RequestLog;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.router.redis.RedisConnection;
import dev.tandem.speccore.AcceptanceStatsRegistry;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.VerifierPricing;
import dev.tandem.verifier.InProcessVerifier;
import dev.tandem.verifier.client.BreakerState;
import dev.tandem.verifier.client.BreakerStatus;
import dev.tandem.verifier.client.CircuitBreakerOptions;
import dev.tandem.verifier.client.EndpointStatus;
import dev.tandem.verifier.client.GrpcVerifier;
import dev.tandem.verifier.client.GrpcVerifierOptions;
import dev.tandem.verifier.engine.EngineOptions;
import dev.tandem.verifier.openai.LogprobsMode;
import dev.tandem.verifier.openai.OpenAiCompatibleVerifier;
import dev.tandem.verifier.openai.OpenAiVerifierOptions;
import dev.tandem.verifier.tls.ClientTlsFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Builds a {@link RouterState} from a {@link TandemConfig}: each tier's verifier backend, the
 * drafters each tier may use, the engine. Models, tokenizers and verifier clients come from the
 * {@link ResourcePool}, so a reload reuses what did not change; the returned {@link Built} lists
 * what to give back once the state is retired and drained.
 *
 * <p>A model drafter must share its tier's tokenizer: where it does not, the tier loses the model
 * drafter (said in the log), and a tier whose default drafter is the model is a config error. The
 * draft model is only loaded when some tier can use it.
 *
 * <p>Threading: {@link #build} blocks (model loading) and must not run on an event loop; one build
 * at a time.
 */
final class RouterStateBuilder {

  private final Vertx vertx;
  private final ModelRuntime runtime;
  private final Optional<ModelRuntime> draftRuntime;
  private final ModelOptions modelOptions;
  private final ResourcePool pool;
  private final RouterMetrics metrics;
  private final AcceptanceStatsRegistry acceptance;
  private final Consumer<String> progress;
  // Spend and reservations outlive configurations: one store for the router's life.
  private final AccountingStore store;
  // The router's Redis client when redis: is configured (shared state lives there).
  private final Optional<RedisConnection> redis;
  private final BudgetAlerts alerts;
  // Cached answers outlive configurations too; sized by the first config (restart-only key).
  private CacheStore cacheStore;

  RouterStateBuilder(
      Vertx vertx,
      ModelRuntime runtime,
      Optional<ModelRuntime> draftRuntime,
      ModelOptions modelOptions,
      ResourcePool pool,
      RouterMetrics metrics,
      AcceptanceStatsRegistry acceptance,
      Consumer<String> progress,
      AccountingStore store,
      Optional<RedisConnection> redis) {
    this.vertx = vertx;
    this.store = store;
    this.redis = redis;
    this.runtime = runtime;
    this.draftRuntime = draftRuntime;
    this.modelOptions = modelOptions;
    this.pool = pool;
    this.metrics = metrics;
    this.acceptance = acceptance;
    this.progress = progress;
    this.alerts = new BudgetAlerts(vertx, metrics.registry());
  }

  /** A built state and the pool keys it holds (to release in reverse order). */
  record Built(RouterState state, List<Object> keys, String summary) {}

  private record ModelKey(Path dir, Quantization quantize, ModelRuntime runtime) {}

  private record TokenizerKey(Path dir) {}

  private record InProcessKey(Path dir, int maxSessions, Quantization quantize) {}

  private record GrpcKey(String model, TandemConfig.Grpc backend) {}

  private record OpenAiKey(TandemConfig.OpenAi backend) {}

  /** One build: the keys acquired so far, released if the build fails. */
  private final class Leases {
    final List<Object> keys = new ArrayList<>();

    <T extends AutoCloseable> T acquire(Object key, ResourcePool.Factory<T> factory)
        throws IOException {
      T resource = pool.acquire(key, factory);
      keys.add(key);
      return resource;
    }

    void releaseAll() {
      for (int i = keys.size() - 1; i >= 0; i--) {
        pool.release(keys.get(i));
      }
    }
  }

  Built build(TandemConfig config, long generation) throws IOException {
    Leases leases = new Leases();
    try {
      return build(config, generation, leases);
    } catch (IOException | RuntimeException e) {
      leases.releaseAll();
      throw e;
    }
  }

  private Built build(TandemConfig config, long generation, Leases leases) throws IOException {
    Map<String, Tier> tiers = new LinkedHashMap<>();
    Map<String, Tokenizer> tokenizers = new LinkedHashMap<>();
    Map<String, RouterState.TierProbe> probes = new LinkedHashMap<>();
    for (TandemConfig.Tier t : config.tiers()) {
      Tier tier = tier(t, leases, tokenizers, probes);
      tiers.put(t.name(), t.stepPrior().map(tier::withStepPrior).orElse(tier));
    }
    Map<String, List<DrafterKind>> allowed = allowedDrafters(config, tokenizers, leases);
    TandemConfig.Drafting drafting = config.drafting();
    Optional<DraftProposer> modelDrafter = Optional.empty();
    if (allowed.values().stream().anyMatch(kinds -> kinds.contains(DrafterKind.MODEL))) {
      Path dir = drafting.draftModel().orElseThrow();
      Quantization quantize = quantization(drafting.quantize());
      // On a thread of its own the drafter drafts the next block while the verifier scores the
      // current one; sharing the verifier's thread, drafting ahead would only delay verifying,
      // and a session's prefill waits for its first proposal. Beside a remote verifier it
      // prefills on open, while the verifier prefills.
      boolean verifiersAllLocal =
          tiers.entrySet().stream()
              .filter(e -> allowed.get(e.getKey()).contains(DrafterKind.MODEL))
              .allMatch(e -> e.getValue().verifier().isLocal());
      Model draft = model(dir, quantize, draftRuntime.orElse(runtime), leases);
      modelDrafter =
          Optional.of(
              draftRuntime.isPresent()
                  ? new ModelDrafter(draft, config.speculation().kMax())
                  : verifiersAllLocal
                      ? ModelDrafter.sharingTheVerifiersThread(draft)
                      : new ModelDrafter(draft));
      progress.accept("drafter: " + modelDrafter.get());
    }
    DraftProposer ngram = new PromptLookupDrafter(drafting.ngramMin(), drafting.ngramMax());
    DraftProposer none = new NoDrafter();
    Map<String, TierDrafters> drafters = new LinkedHashMap<>();
    StringBuilder summary = new StringBuilder();
    for (TandemConfig.Tier t : config.tiers()) {
      Map<String, DraftProposer> byName = new LinkedHashMap<>();
      for (DrafterKind kind : allowed.get(t.name())) {
        byName.put(
            kind.configName(),
            switch (kind) {
              case MODEL -> modelDrafter.orElseThrow();
              case NGRAM -> ngram;
              case NONE -> none;
            });
      }
      drafters.put(t.name(), new TierDrafters(byName, t.defaultDrafter().configName()));
      summary
          .append(summary.isEmpty() ? "" : " ")
          .append("tier=")
          .append(t.name())
          .append('(')
          .append(t.backend().kind())
          .append(", drafter=")
          .append(t.defaultDrafter().configName())
          .append(" of ")
          .append(byName.keySet())
          .append(')');
    }
    TandemConfig.Speculation s = config.speculation();
    SpeculationMode mode =
        switch (s.mode()) {
          case AUTO -> SpeculationMode.AUTO;
          case FIXED -> SpeculationMode.FIXED;
          case OFF -> SpeculationMode.OFF;
        };
    SpeculationSettings settings =
        new SpeculationSettings(
            s.kMax(),
            mode,
            s.fixedK(),
            drafting.draftPricePer1kTokensUsd() / 1000,
            s.draftTimeout());
    GenerationEngine engine =
        new GenerationEngine(
            tiers,
            config.defaultTier(),
            drafters,
            settings,
            acceptance,
            metrics.andThen(new RequestLog()),
            CostControlFactory.build(
                config, store, draftModelForRouting(config, leases), metrics, alerts),
            responseCache(config, leases));
    summary.append(" accounting=").append(store);
    redis.ifPresent(r -> summary.append(" redis=").append(r));
    summary
        .append(" default_tier=")
        .append(config.defaultTier())
        .append(" k=")
        .append(
            switch (s.mode()) {
              case FIXED -> "fixed(" + s.fixedK() + ")";
              case AUTO -> "adaptive(0.." + s.kMax() + ")";
              case OFF -> "off";
            });
    return new Built(
        RouterState.of(config, engine, generation, Instant.now(), probes),
        List.copyOf(leases.keys),
        summary.toString());
  }

  /** The response cache of a configuration, on the router's one store. */
  private ResponseCache responseCache(TandemConfig config, Leases leases) throws IOException {
    CacheSettings settings = config.cache();
    if (cacheStore == null) {
      cacheStore =
          redis.isPresent()
              ? new RedisCacheStore(redis.get(), config.redis().orElseThrow().keyPrefix())
              : new InMemoryCacheStore(settings.maxEntries());
    }
    Embedder embedder =
        switch (settings.embedder()) {
          case NGRAM -> HashedNgramEmbedder.terms();
          case NGRAM_CHARS -> new HashedNgramEmbedder(1024, HashedNgramEmbedder.Mode.CHARS);
          case DRAFT_MODEL ->
              new DraftModelEmbedder(
                  model(
                      config.drafting().draftModel().orElseThrow(),
                      quantization(config.drafting().quantize()),
                      leases));
        };
    progress.accept(
        "cache: exact "
            + (settings.exactEnabled() ? "on" : "off")
            + ", semantic "
            + (settings.semanticAnywhere() ? "on for some tenants/tiers" : "off unless asked")
            + " (embedder "
            + embedder.name()
            + ", guard "
            + settings.guard().configName()
            + ", threshold "
            + settings.semantic().threshold()
            + "), "
            + (cacheStore instanceof RedisCacheStore
                ? "on redis"
                : "in memory, " + settings.maxEntries() + " entries"));
    return new ResponseCache(
        settings, cacheStore, embedder, metrics.cache(), ResponseCache.WALL_CLOCK);
  }

  /**
   * The drafters each tier may use: its configured list, less the model drafter where the draft
   * model's tokenizer differs from the tier's.
   */
  private Map<String, List<DrafterKind>> allowedDrafters(
      TandemConfig config, Map<String, Tokenizer> tokenizers, Leases leases) throws IOException {
    Map<String, List<DrafterKind>> allowed = new LinkedHashMap<>();
    Tokenizer draftTokenizer = null;
    for (int i = 0; i < config.tiers().size(); i++) {
      TandemConfig.Tier t = config.tiers().get(i);
      List<DrafterKind> kinds = new ArrayList<>(t.drafters());
      if (kinds.contains(DrafterKind.MODEL)) {
        Path draftDir = config.drafting().draftModel().orElseThrow();
        if (draftTokenizer == null) {
          draftTokenizer =
              leases.acquire(new TokenizerKey(draftDir), () -> Tokenizer.load(draftDir));
        }
        Optional<String> difference = difference(draftTokenizer, tokenizers.get(t.name()));
        if (difference.isPresent()) {
          String why =
              "the draft model "
                  + draftDir.getFileName()
                  + " does not share the tokenizer of tier "
                  + t.name()
                  + " ("
                  + difference.get()
                  + ")";
          if (t.defaultDrafter() == DrafterKind.MODEL) {
            throw new ConfigException(
                "tiers[" + i + "].default_drafter",
                "tiers["
                    + i
                    + "].default_drafter is model, but "
                    + why
                    + "; set tiers["
                    + i
                    + "].default_drafter to ngram or none");
          }
          kinds.remove(DrafterKind.MODEL);
          progress.accept("tier " + t.name() + ": no model drafter: " + why);
        }
      }
      allowed.put(t.name(), kinds);
    }
    return allowed;
  }

  /** Why two tokenizers are not interchangeable, if they are not. */
  static Optional<String> difference(Tokenizer a, Tokenizer b) {
    if (a.vocabSize() != b.vocabSize()) {
      return Optional.of("vocabulary " + a.vocabSize() + " vs " + b.vocabSize() + " ids");
    }
    for (int id = 0; id < a.vocabSize(); id++) {
      if (a.isSpecial(id) != b.isSpecial(id)
          || (!a.isSpecial(id) && !Arrays.equals(a.tokenBytes(id), b.tokenBytes(id)))) {
        return Optional.of("token id " + id + " differs");
      }
    }
    return Optional.empty();
  }

  private Tier tier(
      TandemConfig.Tier t,
      Leases leases,
      Map<String, Tokenizer> tokenizers,
      Map<String, RouterState.TierProbe> probes)
      throws IOException {
    VerifierPricing price = t.price();
    String dirName = t.backend().model().getFileName().toString();
    return switch (t.backend()) {
      case TandemConfig.InProcess b -> {
        Quantization quantize = quantization(b.quantize());
        Model model = model(b.model(), quantize, leases);
        // responses, acceptance statistics and metrics name what serves: the quantized model
        String modelName =
            model.quantization() == Quantization.NONE
                ? dirName
                : dirName + ":" + model.quantization().configName();
        InProcessVerifier verifier =
            leases.acquire(
                new InProcessKey(b.model(), b.maxSessions(), quantize),
                () ->
                    new InProcessVerifier(
                        modelName, model, EngineOptions.DEFAULTS.withMaxSessions(b.maxSessions())));
        tokenizers.put(t.name(), model.tokenizer());
        probes.put(t.name(), Future::succeededFuture);
        yield new Tier(
            t.name(),
            modelName,
            metrics.meter(verifier, t.name(), b.kind(), model.quantization().configName()),
            TokenizerCodec.of(model.tokenizer(), model.config()),
            model.config().maxPositionEmbeddings(),
            price);
      }
      case TandemConfig.Grpc b -> {
        GrpcVerifier verifier =
            leases.acquire(
                new GrpcKey(dirName, b), () -> new GrpcVerifier(vertx, grpcOptions(dirName, b)));
        progress.accept("tier " + t.name() + ": verifier servers " + b.endpoints());
        // Ready while some server takes new sessions: healthy, and its circuit not open.
        probes.put(
            t.name(),
            () ->
                verifier
                    .endpointStatus()
                    .compose(
                        endpoints ->
                            endpoints.stream().anyMatch(EndpointStatus::available)
                                ? Future.succeededFuture()
                                : Future.failedFuture(
                                    "no available verifier server: "
                                        + endpoints.stream()
                                            .map(
                                                e ->
                                                    e.endpoint()
                                                        + (e.healthy() ? " healthy" : " unhealthy")
                                                        + ", breaker "
                                                        + e.breaker()
                                                            .name()
                                                            .toLowerCase(java.util.Locale.ROOT))
                                            .toList())));
        metrics.endpoints(t.name(), verifier::lastEndpointStatus);
        yield remoteTier(
            t,
            b.model(),
            verifier,
            metrics.meter(verifier, t.name(), b.kind(), "remote"),
            leases,
            tokenizers,
            price);
      }
      case TandemConfig.OpenAi b -> {
        OpenAiVerifierOptions options =
            OpenAiVerifierOptions.of(b.baseUrl().toString(), b.servedModel())
                .withTopN(b.topN())
                .withFallbackBaseUrls(b.fallbackBaseUrls().stream().map(URI::toString).toList())
                .withBreaker(
                    new CircuitBreakerOptions(
                        b.circuitBreaker().failures(), b.circuitBreaker().open()))
                .withMode(
                    switch (b.logprobsMode()) {
                      case PROMPT_LOGPROBS -> LogprobsMode.PROMPT_LOGPROBS;
                      case ECHO -> LogprobsMode.ECHO;
                    });
        Optional<String> key = b.apiKeyEnv().map(System::getenv);
        if (b.apiKeyEnv().isPresent() && key.isEmpty()) {
          progress.accept(
              "tier "
                  + t.name()
                  + ": "
                  + b.apiKeyEnv().get()
                  + " is not set; calling without a key");
        }
        OpenAiVerifierOptions withKey = key.map(options::withApiKey).orElse(options);
        OpenAiCompatibleVerifier verifier =
            leases.acquire(new OpenAiKey(b), () -> new OpenAiCompatibleVerifier(vertx, withKey));
        progress.accept(
            "tier "
                + t.name()
                + ": OpenAI-compatible verifier "
                + b.baseUrl()
                + " ("
                + verifier.name()
                + "; exact for greedy, approximate for temperature > 0)");
        probes.put(t.name(), () -> anyServerReady(verifier.breakerStatus(), 0, new ArrayList<>()));
        metrics.breakers(t.name(), verifier::breakerStatus);
        yield remoteTier(
            t,
            b.model(),
            verifier,
            metrics.meter(verifier, t.name(), b.kind(), "remote"),
            leases,
            tokenizers,
            price);
      }
    };
  }

  private static GrpcVerifierOptions grpcOptions(String modelName, TandemConfig.Grpc b) {
    GrpcVerifierOptions options =
        GrpcVerifierOptions.of(modelName, b.endpoints().stream().map(Object::toString).toList())
            .withHealthInterval(b.healthInterval())
            .withCallTimeout(b.callTimeout())
            .withMaxFailovers(b.maxFailovers())
            .withBreaker(
                new CircuitBreakerOptions(
                    b.circuitBreaker().failures(), b.circuitBreaker().open()));
    return b.tls()
        .map(tls -> options.withTls(new ClientTlsFiles(tls.ca(), tls.cert(), tls.key())))
        .orElse(options);
  }

  /** A tier whose weights are elsewhere: tokenizer and context length from the model directory. */
  private Tier remoteTier(
      TandemConfig.Tier t,
      Path modelDir,
      dev.tandem.speccore.Verifier named,
      dev.tandem.speccore.Verifier metered,
      Leases leases,
      Map<String, Tokenizer> tokenizers,
      VerifierPricing price)
      throws IOException {
    Tokenizer tokenizer =
        leases.acquire(new TokenizerKey(modelDir), () -> Tokenizer.load(modelDir));
    ModelConfig modelConfig = ModelConfig.load(modelDir);
    tokenizers.put(t.name(), tokenizer);
    return new Tier(
        t.name(),
        named.name(),
        metered,
        TokenizerCodec.of(tokenizer, modelConfig),
        modelConfig.maxPositionEmbeddings(),
        price);
  }

  /**
   * Ready while some server of an OpenAI-compatible tier takes calls: its circuit not open and a
   * TCP connection to it succeeds, tried in call order (the base URL, then each fallback). Not
   * ready names each server and why.
   */
  private Future<Void> anyServerReady(List<BreakerStatus> servers, int index, List<String> why) {
    if (index == servers.size()) {
      return Future.failedFuture("no available verifier server: " + why);
    }
    BreakerStatus server = servers.get(index);
    if (server.state() == BreakerState.OPEN) {
      why.add(server.endpoint() + " breaker open");
      return anyServerReady(servers, index + 1, why);
    }
    return reachable(URI.create(server.endpoint()))
        .recover(
            e -> {
              why.add(e.getMessage());
              return anyServerReady(servers, index + 1, why);
            });
  }

  private Future<Void> reachable(java.net.URI url) {
    int port = url.getPort() > 0 ? url.getPort() : url.getScheme().equals("https") ? 443 : 80;
    var client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2000));
    return client
        .connect(port, url.getHost())
        .<Void>compose(socket -> socket.close())
        .recover(e -> Future.failedFuture("cannot connect to " + url + ": " + e.getMessage()))
        .eventually(client::close);
  }

  /** The draft model whose prompt loss feeds routing by complexity, when one is configured. */
  private Optional<Model> draftModelForRouting(TandemConfig config, Leases leases)
      throws IOException {
    if (config.cost().routing().auto() != TandemConfig.AutoRouting.COMPLEXITY
        || config.drafting().draftModel().isEmpty()) {
      return Optional.empty();
    }
    // The drafter's own instance (its runtime): the routing forward becomes the drafter's prefill.
    return Optional.of(
        model(
            config.drafting().draftModel().get(),
            quantization(config.drafting().quantize()),
            draftRuntime.orElse(runtime),
            leases));
  }

  private Model model(Path dir, Quantization quantize, Leases leases) throws IOException {
    return model(dir, quantize, runtime, leases);
  }

  /** A model whose forwards run on {@code on}'s threads (one instance per runtime). */
  private Model model(Path dir, Quantization quantize, ModelRuntime on, Leases leases)
      throws IOException {
    return leases.acquire(
        new ModelKey(dir, quantize, on),
        () -> {
          long start = System.nanoTime();
          progress.accept("loading model " + dir + " ...");
          Model model = on.load(dir, modelOptions.withQuantize(quantize));
          progress.accept(
              String.format(
                  "loaded %s (%s backend, weights %s) in %.1f s",
                  dir.getFileName(),
                  model.backend(),
                  model.quantization().configName(),
                  (System.nanoTime() - start) / 1e9));
          return model;
        });
  }

  private static Quantization quantization(TandemConfig.WeightQuantization q) {
    return switch (q) {
      case NONE -> Quantization.NONE;
      case Q8_0 -> Quantization.Q8_0;
      case Q4 -> Quantization.Q4_0;
    };
  }
}
