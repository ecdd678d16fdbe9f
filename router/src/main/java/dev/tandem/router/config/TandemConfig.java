package dev.tandem.router.config;

import dev.tandem.router.accounting.TenantLimits;
import dev.tandem.router.cache.CacheSettings;
import dev.tandem.router.routing.BudgetMissPolicy;
import dev.tandem.speccore.StepPrior;
import dev.tandem.speccore.VerifierPricing;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The router's whole configuration, read once into typed records and validated as a whole by {@link
 * ConfigReader}. Immutable: a reload builds a new instance and swaps it in atomically.
 *
 * <p>{@link Server} and {@link Runtime} (and whether TLS is on at all) are read when the router
 * starts; a change to them is reported by a reload and needs a restart. Everything else applies
 * live to new requests.
 */
public record TandemConfig(
    Server server,
    Admin admin,
    Optional<Tls> tls,
    Reload reload,
    Metrics metrics,
    Limits limits,
    Runtime runtime,
    Drafting drafting,
    Speculation speculation,
    List<Tier> tiers,
    String defaultTier,
    Cost cost,
    Optional<Redis> redis,
    CacheSettings cache) {

  public TandemConfig {
    tiers = List.copyOf(tiers);
  }

  /** A configuration without Redis (budgets and spend in this router's memory) or cache. */
  public TandemConfig(
      Server server,
      Admin admin,
      Optional<Tls> tls,
      Reload reload,
      Metrics metrics,
      Limits limits,
      Runtime runtime,
      Drafting drafting,
      Speculation speculation,
      List<Tier> tiers,
      String defaultTier,
      Cost cost) {
    this(
        server,
        admin,
        tls,
        reload,
        metrics,
        limits,
        runtime,
        drafting,
        speculation,
        tiers,
        defaultTier,
        cost,
        Optional.empty(),
        CacheSettings.OFF);
  }

  /** A configuration without cost control ({@link Cost#NONE}) or cache. */
  public TandemConfig(
      Server server,
      Admin admin,
      Optional<Tls> tls,
      Reload reload,
      Metrics metrics,
      Limits limits,
      Runtime runtime,
      Drafting drafting,
      Speculation speculation,
      List<Tier> tiers,
      String defaultTier) {
    this(
        server,
        admin,
        tls,
        reload,
        metrics,
        limits,
        runtime,
        drafting,
        speculation,
        tiers,
        defaultTier,
        Cost.NONE);
  }

  /** The tier named {@code name}. */
  public Optional<Tier> tier(String name) {
    return tiers.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /**
   * Where the router listens and what it lets a connection do (restart needed): gRPC and HTTP share
   * one port.
   *
   * @param h2c without TLS, serve HTTP/2 with prior knowledge (cleartext gRPC) beside HTTP/1.x,
   *     told apart by a connection's first bytes. Vert.x then hands a cleartext HTTP/1.x connection
   *     over only once its first request head is complete (to see whether it asks for an upgrade),
   *     so that head is outside {@code header_timeout_ms} and {@code max_connections}. False:
   *     HTTP/1.x only without TLS (gRPC needs TLS), and every connection is timed and counted from
   *     its first byte. No effect with TLS, where ALPN chooses the protocol after the handshake.
   * @param transport the network transport under Vert.x, chosen by whoever creates Vert.x ({@code
   *     tandem serve}, before anything else starts)
   */
  public record Server(
      String host, int port, Connections connections, boolean h2c, NetTransport transport) {

    /** A listener with the default connection limits ({@link Connections#DEFAULTS}). */
    public Server(String host, int port) {
      this(host, port, Connections.DEFAULTS);
    }

    /** A listener with cleartext HTTP/2 on. */
    public Server(String host, int port, Connections connections) {
      this(host, port, connections, true);
    }

    /** A listener on the {@link NetTransport#AUTO} transport. */
    public Server(String host, int port, Connections connections, boolean h2c) {
      this(host, port, connections, h2c, NetTransport.AUTO);
    }
  }

  /**
   * The network transport Vert.x runs its sockets and event loops on ({@code server.transport},
   * restart needed). On Linux the native epoll transport costs the event loops about half of NIO's
   * CPU per message in the transport: at 500 streams on 2 vCPUs it takes the router's p99 per chunk
   * from 1.2–2.1 ms to 0.4–0.6 ms (BENCHMARKS.md, "Router overhead on Netty's native epoll
   * transport").
   */
  public enum NetTransport {
    /** Native epoll where it loads (Linux on x86-64 or AArch64), Java NIO elsewhere. */
    AUTO,
    /** Native epoll, or the router does not start. */
    EPOLL,
    /** Java NIO, on any platform. */
    NIO
  }

  /**
   * What one client connection may do before it is refused or cut off (restart needed). Together
   * with {@code limits.max_body_bytes} these bound what a client can make the router hold.
   *
   * @param maxHeaderBytes largest HTTP/1.x header block (431 beyond) and HTTP/2 header list
   *     (advertised in SETTINGS; the stream is reset beyond)
   * @param maxInitialLineBytes longest HTTP/1.x request line (414 beyond)
   * @param headerTimeout time a connection has to send a complete request head, counted from when
   *     it opened or, on an HTTP/1.x keep-alive connection, from the end of its previous response;
   *     the connection is closed when it passes (slowloris); zero = none
   * @param idleTimeout a connection with no bytes in either direction for this long is closed; zero
   *     = none
   * @param maxConnections open connections at most; further ones are closed at once
   * @param http2MaxResetsPerWindow HTTP/2 streams a client may reset per window before its
   *     connection is closed with GOAWAY ENHANCE_YOUR_CALM (rapid-reset flood, CVE-2023-44487)
   * @param http2ResetWindow the window those resets are counted in, whole seconds (Netty's unit)
   */
  public record Connections(
      int maxHeaderBytes,
      int maxInitialLineBytes,
      Duration headerTimeout,
      Duration idleTimeout,
      int maxConnections,
      int http2MaxResetsPerWindow,
      Duration http2ResetWindow) {

    /** 16 KiB headers, 8 KiB request line, 10 s for a head, 5 min idle, 10,000 connections. */
    public static final Connections DEFAULTS =
        new Connections(
            16 * 1024,
            8 * 1024,
            Duration.ofSeconds(10),
            Duration.ofMinutes(5),
            10_000,
            200,
            Duration.ofSeconds(30));
  }

  /**
   * The admin endpoints ({@code /admin/*}) on the router's port.
   *
   * @param allowRemote serve them to non-loopback clients too
   * @param requireClientCert only to clients that presented a certificate trusted by {@code
   *     tls.client_ca} (mTLS; needs TLS with a client CA)
   */
  public record Admin(boolean allowRemote, boolean requireClientCert) {}

  /**
   * TLS on the router's listener (gRPC and HTTP), OpenSSL engine when available.
   *
   * @param cert PEM certificate chain
   * @param key PEM private key
   * @param clientCa PEM CA that signs client certificates; when present clients may present one
   *     (required for the admin endpoints when {@code admin.require_client_cert})
   */
  public record Tls(Path cert, Path key, Optional<Path> clientCa) {}

  /**
   * How the config file is watched.
   *
   * @param watch reload when the file changes (besides {@code POST /admin/reload} and SIGHUP)
   * @param scanPeriod how often the file is checked
   * @param debounce how long a changed file must stay unchanged before it is read (a half-written
   *     file is not read)
   */
  public record Reload(boolean watch, Duration scanPeriod, Duration debounce) {}

  /**
   * @param enabled record metrics and serve {@code GET /metrics}
   */
  public record Metrics(boolean enabled) {}

  /**
   * @param maxTokens largest max_tokens a request may ask for
   * @param defaultMaxTokens max_tokens when a request gives none
   * @param maxPromptChars largest prompt, in characters
   * @param maxBodyBytes largest HTTP body
   * @param requestTimeoutMs deadline of HTTP requests (gRPC uses grpc-timeout); 0 = none
   * @param maxConcurrentStreams HTTP/2 streams per connection (restart needed)
   */
  public record Limits(
      int maxTokens,
      int defaultMaxTokens,
      int maxPromptChars,
      long maxBodyBytes,
      long requestTimeoutMs,
      int maxConcurrentStreams) {}

  /** Which kernels run local models. */
  public enum RuntimeBackend {
    AUTO,
    VECTOR,
    ND4J
  }

  /**
   * The model runtime that runs local models (the drafter, in-process verifiers); restart needed.
   *
   * @param backend kernels
   * @param threads model executor threads
   */
  public record Runtime(RuntimeBackend backend, int threads) {}

  /** A drafter a tier can speculate with. */
  public enum DrafterKind {
    /** the small draft model ({@code drafting.model}) */
    MODEL,
    /** prompt lookup: continues n-grams already in the prompt; no model */
    NGRAM,
    /** plain decoding */
    NONE;

    public String configName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Block quantization a local model's weights get at load ({@code quantize:}); a model directory
   * written by {@code tandem quantize} is already quantized and loads as it is.
   */
  public enum WeightQuantization {
    /** weights as stored */
    NONE,
    /** GGUF Q8_0 */
    Q8_0,
    /** GGUF Q4_0 q/k/o/gate/up projections, Q8_0 v/down projections and output head */
    Q4;

    public String configName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * @param defaultDrafter what "auto" means, unless a tier says otherwise
   * @param draftModel directory of the draft model (HF format), if any
   * @param quantize quantization of the draft model at load
   * @param ngramMin shortest n-gram the prompt-lookup drafter matches
   * @param ngramMax longest n-gram the prompt-lookup drafter matches
   * @param draftPricePer1kTokensUsd what drafting costs per 1,000 draft tokens
   */
  public record Drafting(
      DrafterKind defaultDrafter,
      Optional<Path> draftModel,
      WeightQuantization quantize,
      int ngramMin,
      int ngramMax,
      double draftPricePer1kTokensUsd) {

    /** Without quantization. */
    public Drafting(
        DrafterKind defaultDrafter,
        Optional<Path> draftModel,
        int ngramMin,
        int ngramMax,
        double draftPricePer1kTokensUsd) {
      this(
          defaultDrafter,
          draftModel,
          WeightQuantization.NONE,
          ngramMin,
          ngramMax,
          draftPricePer1kTokensUsd);
    }
  }

  /** The default speculation mode. */
  public enum SpeculationMode {
    /** k chosen per step from acceptance, latencies and budgets */
    AUTO,
    /** always {@code fixed_k} */
    FIXED,
    /** plain decoding */
    OFF
  }

  /**
   * @param kMax largest draft length
   * @param mode default mode
   * @param fixedK k for fixed mode
   * @param draftTimeout longest a drafter may take for one call before the request goes on with
   *     plain decoding
   */
  public record Speculation(int kMax, SpeculationMode mode, int fixedK, Duration draftTimeout) {

    /** With the default draft timeout, 5 s. */
    public Speculation(int kMax, SpeculationMode mode, int fixedK) {
      this(kMax, mode, fixedK, Duration.ofSeconds(5));
    }
  }

  /**
   * A verifier tier: one model behind one verifier backend, with its price.
   *
   * @param name the name requests use in {@code model}
   * @param backend what serves the model
   * @param price what its verifier charges ({@code price}, or {@code price_per_1k_tokens_usd} for a
   *     flat price per prompt token and scored position)
   * @param maxComplexity the hardest prompt (complexity estimate in [0, 1]) {@code model: auto}
   *     sends here
   * @param defaultDrafter what "auto" means on this tier
   * @param drafters the drafters requests may use on this tier
   * @param stepPrior what a step costs before it is measured ({@code latency_prior}); empty: the
   *     router's generic prior for where the verifier computes
   */
  public record Tier(
      String name,
      VerifierBackend backend,
      VerifierPricing price,
      double maxComplexity,
      DrafterKind defaultDrafter,
      List<DrafterKind> drafters,
      Optional<StepPrior> stepPrior) {

    /** A tier with the generic latency prior. */
    public Tier(
        String name,
        VerifierBackend backend,
        VerifierPricing price,
        double maxComplexity,
        DrafterKind defaultDrafter,
        List<DrafterKind> drafters) {
      this(name, backend, price, maxComplexity, defaultDrafter, drafters, Optional.empty());
    }

    /** A flat price per 1,000 prompt tokens and scored positions; auto may send it anything. */
    public Tier(
        String name,
        VerifierBackend backend,
        double pricePer1kTokensUsd,
        DrafterKind defaultDrafter,
        List<DrafterKind> drafters) {
      this(
          name,
          backend,
          new VerifierPricing.SelfHosted(0, pricePer1kTokensUsd / 1000, pricePer1kTokensUsd / 1000),
          1.0,
          defaultDrafter,
          drafters,
          Optional.empty());
    }

    public Tier {
      drafters = List.copyOf(drafters);
    }
  }

  /**
   * Cost control: how {@code model: auto} routes, who the tenants are, which tags label metrics.
   *
   * @param routing how auto chooses a tier and what happens when no tier fits a budget
   * @param tenants API keys → tenants with their limits; none = everyone anonymous, unlimited
   * @param metricTags request tag keys that become labels of {@code tandem_cost_usd_total} (an
   *     allow-list: tags are free-form, labels must stay few)
   */
  public record Cost(Routing routing, List<TenantConfig> tenants, List<String> metricTags) {
    public Cost {
      tenants = List.copyOf(tenants);
      metricTags = List.copyOf(metricTags);
    }

    /** Auto means the default tier; no tenants; no tag labels. */
    public static final Cost NONE =
        new Cost(
            new Routing(AutoRouting.DEFAULT_TIER, BudgetMissPolicy.DEGRADE), List.of(), List.of());
  }

  /** What {@code model: auto} means. */
  public enum AutoRouting {
    /** the cheapest tier whose max_complexity clears the prompt's estimate and fits the budget */
    COMPLEXITY,
    /** always {@code default_tier} */
    DEFAULT_TIER
  }

  /**
   * @param auto how auto chooses
   * @param onBudgetMiss degrade (cheapest tier, plain decoding) or refuse when no tier fits
   */
  public record Routing(AutoRouting auto, BudgetMissPolicy onBudgetMiss) {}

  /**
   * One tenant.
   *
   * @param name its id in usage and metrics
   * @param apiKeySha256 SHA-256 (hex) of each of its API keys
   * @param tags attribution tags added to its requests (e.g. team)
   * @param limits quotas and budgets
   * @param minTier cheapest tier it may be served by
   * @param maxTier dearest tier it may be served by
   * @param alertWebhook where budget alerts are POSTed, if anywhere
   */
  public record TenantConfig(
      String name,
      List<String> apiKeySha256,
      Map<String, String> tags,
      TenantLimits limits,
      Optional<String> minTier,
      Optional<String> maxTier,
      Optional<URI> alertWebhook) {
    public TenantConfig {
      apiKeySha256 = List.copyOf(apiKeySha256);
      tags = Map.copyOf(tags);
    }
  }

  /** What serves a tier's model; each variant holds only its own fields. */
  public sealed interface VerifierBackend {
    /** Directory holding the model's tokenizer (and for in-process, its weights). */
    Path model();

    /** The config name of this kind of backend. */
    String kind();
  }

  /**
   * The model runs inside the router on the model runtime.
   *
   * @param maxSessions most concurrent sessions
   * @param quantize quantization of the model at load: output is then exact with respect to the
   *     quantized model, and the tier's model name says so ({@code tandem-verifier:q8_0})
   */
  public record InProcess(Path model, int maxSessions, WeightQuantization quantize)
      implements VerifierBackend {

    /** Without quantization. */
    public InProcess(Path model, int maxSessions) {
      this(model, maxSessions, WeightQuantization.NONE);
    }

    @Override
    public String kind() {
      return "in-process";
    }
  }

  /**
   * Tandem verifier servers ({@code ./tandem verifier-server}), least outstanding sessions,
   * health-checked.
   *
   * @param model the tokenizer and config.json (the weights stay remote)
   * @param endpoints the servers
   * @param tls TLS to the servers, if they serve it
   * @param healthInterval period of each server's health check (also its timeout, at least 1 s);
   *     two failed in a row take a server out of rotation until one passes
   * @param callTimeout longest wait for one answer of a server (open or verify); past it the
   *     session moves to another server
   * @param maxFailovers how often one request's session may move to another server
   * @param circuitBreaker when a server that keeps failing is taken out of rotation
   */
  public record Grpc(
      Path model,
      List<Endpoint> endpoints,
      Optional<ClientTls> tls,
      Duration healthInterval,
      Duration callTimeout,
      int maxFailovers,
      CircuitBreaker circuitBreaker)
      implements VerifierBackend {
    public Grpc {
      endpoints = List.copyOf(endpoints);
    }

    @Override
    public String kind() {
      return "grpc";
    }
  }

  /**
   * A gRPC tier's circuit breaker.
   *
   * @param failures consecutive failures (unreachable, broken stream, call timeout) that open it
   * @param open how long it stays open before one probe session is let through
   */
  public record CircuitBreaker(int failures, Duration open) {}

  /**
   * A vLLM-style OpenAI-compatible server: exact for greedy requests, approximate for temperature >
   * 0 (only the top-N logprobs come back).
   *
   * @param model the tokenizer and config.json of the served model
   * @param baseUrl server root, e.g. {@code http://gpu-box:8000}
   * @param servedModel the model name the server serves
   * @param topN logprobs per position
   * @param logprobsMode how draft positions' logprobs are asked for
   * @param apiKeyEnv environment variable holding the API key, if any
   * @param fallbackBaseUrls servers of the same model a failed call is resent to, in order
   * @param circuitBreaker when one of these servers (the base URL included) is skipped
   */
  public record OpenAi(
      Path model,
      URI baseUrl,
      String servedModel,
      int topN,
      LogprobsMode logprobsMode,
      Optional<String> apiKeyEnv,
      List<URI> fallbackBaseUrls,
      CircuitBreaker circuitBreaker)
      implements VerifierBackend {
    public OpenAi {
      fallbackBaseUrls = List.copyOf(fallbackBaseUrls);
    }

    /** With the default breaker: 3 consecutive failures open a server's circuit for 10 s. */
    public OpenAi(
        Path model,
        URI baseUrl,
        String servedModel,
        int topN,
        LogprobsMode logprobsMode,
        Optional<String> apiKeyEnv,
        List<URI> fallbackBaseUrls) {
      this(
          model,
          baseUrl,
          servedModel,
          topN,
          logprobsMode,
          apiKeyEnv,
          fallbackBaseUrls,
          new CircuitBreaker(3, Duration.ofSeconds(10)));
    }

    @Override
    public String kind() {
      return "openai";
    }
  }

  /** How an OpenAI-compatible server is asked for the draft positions' logprobs. */
  public enum LogprobsMode {
    PROMPT_LOGPROBS,
    ECHO
  }

  /** A {@code host:port} a client connects to. */
  public record Endpoint(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /**
   * TLS from the router to verifier servers.
   *
   * @param ca PEM CA that signs the servers' certificates
   * @param cert PEM client certificate, for servers that require one (with {@code key})
   * @param key PEM client private key
   */
  public record ClientTls(Path ca, Optional<Path> cert, Optional<Path> key) {}

  /**
   * Shared state in Redis (restart needed to change): budgets, quotas, reservations and spend, so
   * that several routers behind one load balancer share them. Absent: everything in this router's
   * memory.
   *
   * @param mode standalone (one server), sentinel (the master of {@code masterName} as the
   *     sentinels report it) or cluster (seed nodes)
   * @param endpoints {@code redis://} or {@code rediss://} (TLS) URLs: the server, the sentinels or
   *     the cluster's seed nodes
   * @param masterName the sentinel master name (sentinel mode only)
   * @param passwordEnv environment variable holding the password, if Redis needs one
   * @param tlsCa PEM CA for {@code rediss://} endpoints (default: the JVM's trust store)
   * @param timeout the longest any request waits for one Redis command
   * @param onFailure what budgets do while Redis is down or slow
   * @param keyPrefix prefix of every key Tandem writes
   * @param reservationLease how long a reservation outlives its router: a live router renews its
   *     reservations' leases; once one lapses (its router died) any router reclaims it
   * @param probeInterval how often a router that lost Redis tries it again
   * @param usageRetentionDays how long per-day spend is kept for {@code /v1/usage}
   * @param maxPoolSize connections per Redis server
   */
  public record Redis(
      RedisMode mode,
      List<URI> endpoints,
      Optional<String> masterName,
      Optional<String> passwordEnv,
      Optional<Path> tlsCa,
      Duration timeout,
      RedisFailurePolicy onFailure,
      String keyPrefix,
      Duration reservationLease,
      Duration probeInterval,
      int usageRetentionDays,
      int maxPoolSize) {
    public Redis {
      endpoints = List.copyOf(endpoints);
    }
  }

  /** How the router finds Redis. */
  public enum RedisMode {
    STANDALONE,
    SENTINEL,
    CLUSTER
  }

  /** What budgets do while Redis is down or slower than {@code redis.timeout_ms}. */
  public enum RedisFailurePolicy {
    /** refuse requests (UNAVAILABLE / 503): no budget can be overspent */
    FAIL_CLOSED,
    /** serve without checking budgets and quotas; counted, and the spend committed later */
    FAIL_OPEN
  }
}
