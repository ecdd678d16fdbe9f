package dev.tandem.router.config;

import dev.tandem.router.accounting.Money;
import dev.tandem.router.accounting.TenantLimits;
import dev.tandem.router.cache.CacheSettings;
import dev.tandem.router.config.TandemConfig.Admin;
import dev.tandem.router.config.TandemConfig.AutoRouting;
import dev.tandem.router.config.TandemConfig.CircuitBreaker;
import dev.tandem.router.config.TandemConfig.ClientTls;
import dev.tandem.router.config.TandemConfig.Connections;
import dev.tandem.router.config.TandemConfig.Cost;
import dev.tandem.router.config.TandemConfig.DrafterKind;
import dev.tandem.router.config.TandemConfig.Drafting;
import dev.tandem.router.config.TandemConfig.Endpoint;
import dev.tandem.router.config.TandemConfig.Grpc;
import dev.tandem.router.config.TandemConfig.InProcess;
import dev.tandem.router.config.TandemConfig.Limits;
import dev.tandem.router.config.TandemConfig.LogprobsMode;
import dev.tandem.router.config.TandemConfig.Metrics;
import dev.tandem.router.config.TandemConfig.NetTransport;
import dev.tandem.router.config.TandemConfig.OpenAi;
import dev.tandem.router.config.TandemConfig.Redis;
import dev.tandem.router.config.TandemConfig.RedisFailurePolicy;
import dev.tandem.router.config.TandemConfig.RedisMode;
import dev.tandem.router.config.TandemConfig.Reload;
import dev.tandem.router.config.TandemConfig.Routing;
import dev.tandem.router.config.TandemConfig.Runtime;
import dev.tandem.router.config.TandemConfig.RuntimeBackend;
import dev.tandem.router.config.TandemConfig.Server;
import dev.tandem.router.config.TandemConfig.Speculation;
import dev.tandem.router.config.TandemConfig.SpeculationMode;
import dev.tandem.router.config.TandemConfig.TenantConfig;
import dev.tandem.router.config.TandemConfig.Tier;
import dev.tandem.router.config.TandemConfig.Tls;
import dev.tandem.router.config.TandemConfig.VerifierBackend;
import dev.tandem.router.config.TandemConfig.WeightQuantization;
import dev.tandem.router.routing.BudgetMissPolicy;
import dev.tandem.speccore.LatencyModel;
import dev.tandem.speccore.StepPrior;
import dev.tandem.speccore.VerifierPricing;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a JSON tree (from YAML or JSON, merged over the built-in defaults) into a validated {@link
 * TandemConfig}. Every problem is a {@link ConfigException} naming the key path, the value and what
 * is allowed, e.g. {@code server.port must be an integer in 0..65535, got 70000}; unknown keys are
 * errors with a "did you mean". Nothing is clamped and nothing falls back. Relative paths are
 * resolved against a base directory (the repository root for the embedded default). Stateless.
 */
public final class ConfigReader {

  /** The longest step cost {@code latency_prior} takes, in milliseconds. */
  static final double MAX_PRIOR_MS = 60_000;

  private final Path baseDir;

  /**
   * {@code value} as one of {@code type}'s constants, read as a config key's value is (any case,
   * {@code -} for {@code _}): for a setting given outside the file, such as a command-line flag.
   *
   * @throws IllegalArgumentException naming {@code setting} and the allowed values otherwise
   */
  public static <E extends Enum<E>> E oneOf(String setting, Class<E> type, String value) {
    return ConfigNode.constant(type, value)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    setting
                        + " must be one of "
                        + ConfigNode.names(type)
                        + ", got "
                        + ConfigNode.describe(value)));
  }

  public ConfigReader(Path baseDir) {
    this.baseDir = baseDir;
  }

  public TandemConfig read(JsonObject json) {
    ConfigNode root = new ConfigNode("", json);
    Server server = server(root.object("server"));
    Admin admin = admin(root.object("admin"));
    Optional<Tls> tls = root.has("tls") ? Optional.of(tls(root.object("tls"))) : Optional.empty();
    if (admin.requireClientCert() && tls.flatMap(Tls::clientCa).isEmpty()) {
      throw new ConfigException(
          "admin.require_client_cert",
          "admin.require_client_cert needs tls.client_ca (the CA that signs admin client"
              + " certificates)");
    }
    Reload reload = reload(root.object("reload"));
    Metrics metrics = new Metrics(finished(root.object("metrics"), n -> n.bool("enabled", true)));
    Limits limits = limits(root.object("limits"));
    Runtime runtime = runtime(root.object("runtime"));
    Drafting drafting = drafting(root.object("drafting"));
    Speculation speculation = speculation(root.object("speculation"));
    List<Tier> tiers = tiers(root, drafting);
    String defaultTier = root.string("default_tier", tiers.get(0).name());
    if (tiers.stream().noneMatch(t -> t.name().equals(defaultTier))) {
      throw root.error(
          "default_tier",
          "must name one of the tiers "
              + tiers.stream().map(Tier::name).toList()
              + ", got '"
              + defaultTier
              + "'");
    }
    Cost cost = cost(root, tiers);
    Optional<Redis> redis =
        root.has("redis")
            ? Optional.of(finished(root.object("redis"), this::redis))
            : Optional.empty();
    CacheSettings cache = CacheConfigReader.read(root.object("cache"), tiers, cost, drafting);
    root.finish();
    return new TandemConfig(
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
        redis,
        cache);
  }

  private Redis redis(ConfigNode r) {
    RedisMode mode = r.oneOf("mode", RedisMode.class, RedisMode.STANDALONE);
    List<String> values = r.strings("endpoints");
    if (values.isEmpty()) {
      throw r.error("endpoints", "must list at least one redis:// or rediss:// URL");
    }
    if (mode == RedisMode.STANDALONE && values.size() != 1) {
      throw r.error(
          "endpoints",
          "must list exactly one URL in mode standalone (sentinel and cluster take several), got "
              + values.size());
    }
    List<URI> endpoints = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      endpoints.add(redisUrl(r.keyPath("endpoints") + "[" + i + "]", values.get(i)));
    }
    Optional<String> masterName = r.optionalString("master_name");
    if (mode == RedisMode.SENTINEL && masterName.isEmpty()) {
      throw r.error("master_name", "is required in mode sentinel (the master the sentinels watch)");
    }
    if (mode != RedisMode.SENTINEL && masterName.isPresent()) {
      throw r.error(
          "master_name",
          "applies to mode sentinel only, mode is "
              + mode.name().toLowerCase(java.util.Locale.ROOT));
    }
    Optional<String> passwordEnv = r.optionalString("password_env");
    if (passwordEnv.isPresent() && System.getenv(passwordEnv.get()) == null) {
      throw r.error(
          "password_env",
          "names the environment variable " + passwordEnv.get() + ", which is not set");
    }
    Optional<Path> tlsCa = r.has("tls_ca") ? Optional.of(file(r, "tls_ca")) : Optional.empty();
    if (tlsCa.isPresent() && endpoints.stream().noneMatch(u -> u.getScheme().equals("rediss"))) {
      throw r.error("tls_ca", "is set but no endpoint is a rediss:// (TLS) URL");
    }
    String prefix = r.string("key_prefix", "tandem");
    if (!prefix.matches("[A-Za-z0-9_.:-]{1,64}")) {
      throw r.error(
          "key_prefix", "must be 1..64 characters of A-Z a-z 0-9 _ . : -, got '" + prefix + "'");
    }
    int timeoutMs = r.integer("timeout_ms", 1, 60_000, 250);
    int leaseMs = r.integer("reservation_lease_ms", 1000, 86_400_000, 30_000);
    return new Redis(
        mode,
        endpoints,
        masterName,
        passwordEnv,
        tlsCa,
        Duration.ofMillis(timeoutMs),
        r.oneOf("on_failure", RedisFailurePolicy.class, RedisFailurePolicy.FAIL_CLOSED),
        prefix,
        Duration.ofMillis(leaseMs),
        Duration.ofMillis(r.integer("probe_interval_ms", 10, 600_000, 1000)),
        r.integer("usage_retention_days", 1, 3660, 400),
        r.integer("max_pool_size", 1, 1024, 8));
  }

  /** A {@code redis://} or {@code rediss://} URL with a host. */
  private static URI redisUrl(String key, String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null
        || !("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new ConfigException(
          key,
          key
              + " must be a redis://host:port or rediss://host:port (TLS) URL, got '"
              + value
              + "'");
    }
    if (uri.getUserInfo() != null && uri.getUserInfo().contains(":")) {
      throw new ConfigException(
          key, key + " must not hold a password: put it in the variable redis.password_env names");
    }
    return uri;
  }

  private static Cost cost(ConfigNode root, List<Tier> tiers) {
    Routing routing =
        finished(
            root.object("routing"),
            r ->
                new Routing(
                    r.oneOf("auto", AutoRouting.class, AutoRouting.DEFAULT_TIER),
                    r.oneOf("on_budget_miss", BudgetMissPolicy.class, BudgetMissPolicy.DEGRADE)));
    List<String> metricTags = finished(root.object("accounting"), a -> a.strings("metric_tags"));
    List<TenantConfig> tenants = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> keys = new HashSet<>();
    for (ConfigNode t : root.objects("tenants")) {
      TenantConfig tenant = finished(t, n -> tenant(n, tiers));
      if (!names.add(tenant.name())) {
        throw t.error("name", "'" + tenant.name() + "' is used by an earlier tenant");
      }
      for (String key : tenant.apiKeySha256()) {
        if (!keys.add(key)) {
          throw t.error("api_key_sha256", "lists a key hash another tenant already has");
        }
      }
      tenants.add(tenant);
    }
    return new Cost(routing, tenants, metricTags);
  }

  private static TenantConfig tenant(ConfigNode t, List<Tier> tiers) {
    String name = t.string("name");
    List<String> hashes = t.strings("api_key_sha256");
    if (hashes.isEmpty()) {
      throw t.error("api_key_sha256", "must list the SHA-256 (hex) of at least one API key");
    }
    for (String h : hashes) {
      if (!h.matches("[0-9a-f]{64}")) {
        throw t.error(
            "api_key_sha256",
            "must hold 64 lower-case hex digits per key (sha256sum of the key), got one of "
                + h.length()
                + " characters");
      }
    }
    Map<String, String> tags = new LinkedHashMap<>();
    ConfigNode tagNode = t.object("tags");
    for (String key : tagNode.keys()) {
      tags.put(key, tagNode.string(key));
    }
    tagNode.finish();
    ConfigNode l = t.object("limits");
    List<Double> thresholds = new ArrayList<>();
    ConfigNode alerts = t.object("alerts");
    for (double v : alerts.numbers("thresholds")) {
      thresholds.add(v);
    }
    Optional<URI> webhook = alerts.optionalString("webhook").map(u -> uri(alerts, "webhook", u));
    alerts.finish();
    int requestsPerMinute = l.integer("requests_per_minute", 0, Integer.MAX_VALUE, 0);
    int tokensPerMinute = l.integer("tokens_per_minute", 0, Integer.MAX_VALUE, 0);
    int concurrentStreams = l.integer("concurrent_streams", 0, Integer.MAX_VALUE, 0);
    long daily = Money.roundNanos(l.nonNegative("daily_budget_usd"));
    long monthly = Money.roundNanos(l.nonNegative("monthly_budget_usd"));
    TenantLimits limits;
    try {
      limits =
          new TenantLimits(
              requestsPerMinute, tokensPerMinute, concurrentStreams, daily, monthly, thresholds);
    } catch (IllegalArgumentException e) {
      throw t.error("alerts.thresholds", e.getMessage());
    }
    l.finish();
    Optional<String> minTier = tierName(t, "min_tier", tiers);
    Optional<String> maxTier = tierName(t, "max_tier", tiers);
    return new TenantConfig(name, hashes, tags, limits, minTier, maxTier, webhook);
  }

  private static Optional<String> tierName(ConfigNode t, String key, List<Tier> tiers) {
    Optional<String> name = t.optionalString(key);
    if (name.isPresent() && tiers.stream().noneMatch(tier -> tier.name().equals(name.get()))) {
      throw t.error(
          key,
          "must name one of the tiers "
              + tiers.stream().map(Tier::name).toList()
              + ", got '"
              + name.get()
              + "'");
    }
    return name;
  }

  private static URI uri(ConfigNode n, String key, String value) {
    try {
      URI uri = new URI(value);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw n.error(key, "must be an http(s) URL, got '" + value + "'");
      }
      return uri;
    } catch (java.net.URISyntaxException e) {
      throw n.error(key, "must be an http(s) URL, got '" + value + "'");
    }
  }

  /**
   * {@code price: {kind: per-call | per-token, ...}} or the flat {@code price_per_1k_tokens_usd}.
   */
  private static VerifierPricing price(ConfigNode t) {
    boolean flat = t.has("price_per_1k_tokens_usd");
    if (t.has("price")) {
      if (flat) {
        throw t.error("price", "and price_per_1k_tokens_usd both set: keep one");
      }
      return finished(
          t.object("price"),
          p ->
              switch (p.oneOf("kind", PriceKind.class)) {
                case PER_CALL ->
                    new VerifierPricing.SelfHosted(
                        p.nonNegative("per_call_usd"),
                        p.nonNegative("per_position_usd"),
                        p.nonNegative("per_prompt_token_usd"));
                case PER_TOKEN ->
                    new VerifierPricing.PerToken(
                        p.nonNegative("per_1m_prompt_tokens_usd"),
                        p.nonNegative("per_1m_scored_positions_usd"));
              });
    }
    double per1k = t.nonNegative("price_per_1k_tokens_usd");
    return new VerifierPricing.SelfHosted(0, per1k / 1000, per1k / 1000);
  }

  /** The price models a tier may have, as {@code price.kind} names them. */
  private enum PriceKind {
    /** self-hosted GPU time: per verifier call, per scored position, per prompt token */
    PER_CALL,
    /** a per-token API: per 1M prompt tokens and per 1M scored positions */
    PER_TOKEN
  }

  private static Server server(ConfigNode n) {
    return finished(
        n,
        s ->
            new Server(
                s.string("host"),
                s.integer("port", 0, 65535),
                connections(s),
                s.bool("h2c", true),
                s.oneOf("transport", NetTransport.class, NetTransport.AUTO)));
  }

  private static Connections connections(ConfigNode s) {
    Connections d = Connections.DEFAULTS;
    return new Connections(
        s.integer("max_header_bytes", 1024, 1 << 20, d.maxHeaderBytes()),
        s.integer("max_initial_line_bytes", 256, 1 << 20, d.maxInitialLineBytes()),
        Duration.ofMillis(
            s.integer("header_timeout_ms", 0, 3_600_000, (int) d.headerTimeout().toMillis())),
        Duration.ofMillis(
            s.integer("idle_timeout_ms", 0, 86_400_000, (int) d.idleTimeout().toMillis())),
        s.integer("max_connections", 1, 1 << 24, d.maxConnections()),
        s.integer("http2_max_resets_per_window", 1, 1 << 20, d.http2MaxResetsPerWindow()),
        Duration.ofSeconds(
            s.integer("http2_reset_window_s", 1, 3600, (int) d.http2ResetWindow().toSeconds())));
  }

  private static Admin admin(ConfigNode n) {
    return finished(
        n, a -> new Admin(a.bool("allow_remote", false), a.bool("require_client_cert", false)));
  }

  private Tls tls(ConfigNode n) {
    return finished(
        n,
        t ->
            new Tls(
                file(t, "cert"),
                file(t, "key"),
                t.has("client_ca") ? Optional.of(file(t, "client_ca")) : Optional.empty()));
  }

  private static Reload reload(ConfigNode n) {
    return finished(
        n,
        r ->
            new Reload(
                r.bool("watch", true),
                Duration.ofMillis(r.integer("scan_period_ms", 10, 3_600_000, 500)),
                Duration.ofMillis(r.integer("debounce_ms", 0, 60_000, 200))));
  }

  private static Limits limits(ConfigNode n) {
    return finished(
        n,
        l -> {
          int maxTokens = l.integer("max_tokens", 1, 1 << 20);
          return new Limits(
              maxTokens,
              l.integer("default_max_tokens", 1, maxTokens),
              l.integer("max_prompt_chars", 1, Integer.MAX_VALUE),
              l.integer("max_body_bytes", 1024, Integer.MAX_VALUE),
              l.integer("request_timeout_ms", 0, Integer.MAX_VALUE),
              l.integer("max_concurrent_streams", 1, 1 << 20));
        });
  }

  private static Runtime runtime(ConfigNode n) {
    return finished(
        n,
        r -> new Runtime(r.oneOf("backend", RuntimeBackend.class), r.integer("threads", 1, 256)));
  }

  private Drafting drafting(ConfigNode n) {
    return finished(
        n,
        d -> {
          DrafterKind defaultDrafter = d.oneOf("default", DrafterKind.class);
          Optional<Path> model =
              d.has("model") ? Optional.of(modelDir(d, "model")) : Optional.empty();
          WeightQuantization quantize =
              d.oneOf("quantize", WeightQuantization.class, WeightQuantization.NONE);
          if (quantize != WeightQuantization.NONE && model.isEmpty()) {
            throw d.error(
                "quantize",
                "is '" + quantize.configName() + "' but drafting.model names no draft model");
          }
          int ngramMin = d.integer("ngram_min", 1, 8);
          int ngramMax = d.integer("ngram_max", 1, 8);
          if (ngramMin > ngramMax) {
            throw d.error(
                "ngram_min", "must be <= drafting.ngram_max (" + ngramMax + "), got " + ngramMin);
          }
          if (defaultDrafter == DrafterKind.MODEL && model.isEmpty()) {
            throw d.error(
                "default", "is 'model' but drafting.model names no draft model directory");
          }
          return new Drafting(
              defaultDrafter,
              model,
              quantize,
              ngramMin,
              ngramMax,
              d.nonNegative("price_per_1k_tokens_usd"));
        });
  }

  private static Speculation speculation(ConfigNode n) {
    return finished(
        n,
        s ->
            new Speculation(
                s.integer("k_max", 0, 16),
                s.oneOf("mode", SpeculationMode.class),
                s.integer("fixed_k", 1, 16),
                Duration.ofMillis(s.integer("draft_timeout_ms", 1, 600_000, 5000))));
  }

  private List<Tier> tiers(ConfigNode root, Drafting drafting) {
    List<ConfigNode> nodes = root.objects("tiers");
    if (nodes.isEmpty()) {
      throw root.error("tiers", "must list at least one tier");
    }
    List<Tier> tiers = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigNode t : nodes) {
      Tier tier = finished(t, n -> tier(n, drafting));
      if (!names.add(tier.name())) {
        throw t.error("name", "'" + tier.name() + "' is used by an earlier tier");
      }
      tiers.add(tier);
    }
    return tiers;
  }

  /** The kinds of verifier backend, as {@code verifier:} names them. */
  private enum VerifierKind {
    IN_PROCESS,
    GRPC,
    OPENAI
  }

  private Tier tier(ConfigNode t, Drafting drafting) {
    String name = t.string("name");
    if (name.equals("auto")) {
      throw t.error("name", "must not be 'auto' (requests use it to let the router choose)");
    }
    VerifierKind verifierKind = t.oneOf("verifier", VerifierKind.class);
    if (verifierKind != VerifierKind.IN_PROCESS && t.has("quantize")) {
      throw t.error(
          "quantize",
          "applies to verifier: in-process only (the weights of a "
              + verifierKind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
              + " verifier are not loaded here; ./tandem verifier-server takes --quantize)");
    }
    VerifierBackend backend =
        switch (verifierKind) {
          case IN_PROCESS -> inProcess(t);
          case GRPC -> grpc(t);
          case OPENAI -> openAi(t);
        };
    List<DrafterKind> drafters = new ArrayList<>();
    if (t.has("drafters")) {
      for (String value : t.strings("drafters")) {
        drafters.add(drafterNamed(t, "drafters", value));
      }
    } else {
      for (DrafterKind kind : DrafterKind.values()) {
        if (kind != DrafterKind.MODEL || drafting.draftModel().isPresent()) {
          drafters.add(kind);
        }
      }
    }
    if (drafters.contains(DrafterKind.MODEL) && drafting.draftModel().isEmpty()) {
      throw t.error("drafters", "lists 'model' but drafting.model names no draft model directory");
    }
    DrafterKind defaultDrafter =
        t.has("default_drafter")
            ? t.oneOf("default_drafter", DrafterKind.class)
            : drafting.defaultDrafter();
    if (!drafters.contains(defaultDrafter)) {
      throw t.error(
          "default_drafter",
          "must be one of the tier's drafters "
              + drafters.stream().map(DrafterKind::configName).toList()
              + ", got '"
              + defaultDrafter.configName()
              + "'");
    }
    double maxComplexity = t.has("max_complexity") ? t.fraction("max_complexity") : 1.0;
    Optional<StepPrior> prior =
        t.has("latency_prior")
            ? Optional.of(finished(t.object("latency_prior"), ConfigReader::stepPrior))
            : Optional.empty();
    return new Tier(name, backend, price(t), maxComplexity, defaultDrafter, drafters, prior);
  }

  /**
   * {@code latency_prior: {draft_token_ms, draft_step_ms, verify_call_ms, verify_position_ms}}: a
   * draft token, a drafting step's fixed cost beyond its tokens (optional, 0), a verify call's
   * fixed part and each position it scores. A position must cost something (with free positions
   * every draft would pay); the others may be 0.
   */
  private static StepPrior stepPrior(ConfigNode p) {
    double draft = p.number("draft_token_ms", 0, MAX_PRIOR_MS);
    double draftStep = p.has("draft_step_ms") ? p.number("draft_step_ms", 0, MAX_PRIOR_MS) : 0;
    double call = p.number("verify_call_ms", 0, MAX_PRIOR_MS);
    double position = p.number("verify_position_ms", 0, MAX_PRIOR_MS);
    if (position == 0) {
      throw p.error("verify_position_ms", "must be above 0 (a scored position is never free)");
    }
    return new StepPrior(
        new LatencyModel(draft * 1e6, call * 1e6, position * 1e6), draftStep * 1e6);
  }

  private static DrafterKind drafterNamed(ConfigNode t, String key, String value) {
    for (DrafterKind kind : DrafterKind.values()) {
      if (kind.configName().equals(value)) {
        return kind;
      }
    }
    throw t.error(
        key,
        "must list drafters among "
            + ConfigNode.names(DrafterKind.class)
            + ", got '"
            + value
            + "'");
  }

  private InProcess inProcess(ConfigNode t) {
    return new InProcess(
        modelDir(t, "model"),
        t.integer("max_sessions", 1, 1 << 20, 1024),
        t.oneOf("quantize", WeightQuantization.class, WeightQuantization.NONE));
  }

  private Grpc grpc(ConfigNode t) {
    List<String> values = t.strings("endpoints");
    if (values.isEmpty()) {
      throw t.error("endpoints", "must list host:port of verifier servers for verifier: grpc");
    }
    List<Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      endpoints.add(endpoint(t.keyPath("endpoints") + "[" + i + "]", values.get(i)));
    }
    Optional<ClientTls> tls =
        t.has("tls") ? Optional.of(finished(t.object("tls"), this::clientTls)) : Optional.empty();
    return new Grpc(
        modelDir(t, "model"),
        endpoints,
        tls,
        Duration.ofMillis(t.integer("health_check_interval_ms", 100, 3_600_000, 2000)),
        Duration.ofMillis(t.integer("call_timeout_ms", 1, 3_600_000, 30_000)),
        t.integer("max_failovers", 0, MAX_FAILOVERS, 2),
        t.has("circuit_breaker")
            ? finished(t.object("circuit_breaker"), ConfigReader::circuitBreaker)
            : new CircuitBreaker(3, Duration.ofSeconds(10)));
  }

  /** Most failovers a gRPC tier may allow one request (the verifier client's limit). */
  static final int MAX_FAILOVERS = 16;

  private static CircuitBreaker circuitBreaker(ConfigNode n) {
    return new CircuitBreaker(
        n.integer("failures", 1, 1000, 3),
        Duration.ofMillis(n.integer("open_ms", 1, 3_600_000, 10_000)));
  }

  private ClientTls clientTls(ConfigNode n) {
    Optional<Path> cert = n.has("cert") ? Optional.of(file(n, "cert")) : Optional.empty();
    Optional<Path> key = n.has("key") ? Optional.of(file(n, "key")) : Optional.empty();
    if (cert.isPresent() != key.isPresent()) {
      throw n.error(
          cert.isPresent() ? "key" : "cert",
          "is required with the other (client certificate and its key)");
    }
    return new ClientTls(file(n, "ca"), cert, key);
  }

  /** Parses {@code host:port} (IPv6 hosts in brackets). */
  static Endpoint endpoint(String key, String value) {
    int colon = value.lastIndexOf(':');
    String host = colon > 0 ? value.substring(0, colon) : "";
    String port = colon > 0 ? value.substring(colon + 1) : "";
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isBlank()
        || host.contains(" ")
        || !port.matches("\\d{1,5}")
        || Integer.parseInt(port) < 1
        || Integer.parseInt(port) > 65535) {
      throw new ConfigException(
          key, key + " must be host:port with a port in 1..65535, got '" + value + "'");
    }
    return new Endpoint(host, Integer.parseInt(port));
  }

  private OpenAi openAi(ConfigNode t) {
    Path model = modelDir(t, "model");
    return finished(
        t.object("openai"),
        o -> {
          URI uri = httpUrl(o, "base_url", o.string("base_url"));
          List<URI> fallbacks = new ArrayList<>();
          if (o.has("fallback_base_urls")) {
            List<String> values = o.strings("fallback_base_urls");
            if (values.size() > MAX_FALLBACK_URLS) {
              throw o.error(
                  "fallback_base_urls",
                  "must list at most " + MAX_FALLBACK_URLS + " URLs, got " + values.size());
            }
            for (String value : values) {
              fallbacks.add(httpUrl(o, "fallback_base_urls", value));
            }
          }
          return new OpenAi(
              model,
              uri,
              o.string("model"),
              o.integer("top_n", 1, 1024, 20),
              o.oneOf("logprobs_mode", LogprobsMode.class, LogprobsMode.PROMPT_LOGPROBS),
              o.optionalString("api_key_env"),
              fallbacks,
              o.has("circuit_breaker")
                  ? finished(o.object("circuit_breaker"), ConfigReader::circuitBreaker)
                  : new CircuitBreaker(3, Duration.ofSeconds(10)));
        });
  }

  /** Most fallback base URLs of an OpenAI-compatible tier (the verifier's limit). */
  static final int MAX_FALLBACK_URLS = 16;

  private static URI httpUrl(ConfigNode o, String key, String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw o.error(key, "must be an http(s) URL, got '" + value + "'");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw o.error(key, "must be an http(s) URL with a host, got '" + value + "'");
    }
    return uri;
  }

  /** A model directory (HF layout) that exists and holds config.json and tokenizer.json. */
  private Path modelDir(ConfigNode n, String key) {
    Path path = baseDir.resolve(n.string(key)).normalize();
    if (!Files.isDirectory(path)) {
      throw n.error(key, "must be a model directory, " + path + " is not one");
    }
    for (String file : List.of("config.json", "tokenizer.json")) {
      if (!Files.isRegularFile(path.resolve(file))) {
        throw n.error(key, "must be a model directory with " + file + ", " + path + " has none");
      }
    }
    return path;
  }

  /** A readable file. */
  private Path file(ConfigNode n, String key) {
    Path path = baseDir.resolve(n.string(key)).normalize();
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw n.error(key, "must be a readable file, " + path + " is not one");
    }
    return path;
  }

  /** Reads a mapping with {@code reader}, then rejects its unknown keys. */
  private static <T> T finished(
      ConfigNode node, java.util.function.Function<ConfigNode, T> reader) {
    T value = reader.apply(node);
    node.finish();
    return value;
  }
}
