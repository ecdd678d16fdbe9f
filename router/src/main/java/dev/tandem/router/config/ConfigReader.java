package dev.tandem.router.config;

import dev.tandem.router.config.TandemConfig.Drafting;
import dev.tandem.router.config.TandemConfig.Limits;
import dev.tandem.router.config.TandemConfig.Runtime;
import dev.tandem.router.config.TandemConfig.Server;
import dev.tandem.router.config.TandemConfig.Speculation;
import dev.tandem.router.config.TandemConfig.Tier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a JSON tree (from YAML or JSON, merged over the built-in defaults) into a validated {@link
 * TandemConfig}. Every problem is reported as an {@link IllegalArgumentException} whose message
 * names the key path and what is allowed, e.g. {@code server.port must be in 0..65535, got 70000}.
 * Relative paths are resolved against a base directory (the repository root for the embedded
 * default). Stateless.
 */
public final class ConfigReader {

  private static final Set<String> BACKENDS = Set.of("auto", "vector", "nd4j");
  private static final Set<String> DRAFTERS = Set.of("model", "ngram", "none");
  private static final Set<String> MODES = Set.of("auto", "fixed", "off");
  private static final Set<String> VERIFIERS = Set.of("in-process", "grpc", "synthetic", "openai");

  private final Path baseDir;

  public ConfigReader(Path baseDir) {
    this.baseDir = baseDir;
  }

  public TandemConfig read(JsonObject json) {
    JsonObject server = object(json, "server");
    JsonObject limits = object(json, "limits");
    JsonObject runtime = object(json, "runtime");
    JsonObject drafting = object(json, "drafting");
    JsonObject speculation = object(json, "speculation");
    int maxTokens = intIn(limits, "limits", "max_tokens", 1, 1 << 20);
    Speculation spec =
        new Speculation(
            intIn(speculation, "speculation", "k_max", 0, 16),
            oneOf(speculation, "speculation", "mode", MODES),
            intIn(speculation, "speculation", "fixed_k", 1, 16));
    List<Tier> tiers = tiers(json);
    String defaultTier = json.getString("default_tier", tiers.get(0).name());
    if (tiers.stream().noneMatch(t -> t.name().equals(defaultTier))) {
      throw new IllegalArgumentException(
          "default_tier must name one of the tiers, got " + defaultTier);
    }
    return new TandemConfig(
        new Server(
            server.getString("host", "127.0.0.1"), intIn(server, "server", "port", 0, 65535)),
        new Limits(
            maxTokens,
            intIn(limits, "limits", "default_max_tokens", 1, maxTokens),
            intIn(limits, "limits", "max_prompt_chars", 1, Integer.MAX_VALUE),
            intIn(limits, "limits", "max_body_bytes", 1024, Integer.MAX_VALUE),
            intIn(limits, "limits", "request_timeout_ms", 0, Integer.MAX_VALUE),
            intIn(limits, "limits", "max_concurrent_streams", 1, 1 << 20)),
        new Runtime(
            oneOf(runtime, "runtime", "backend", BACKENDS),
            intIn(runtime, "runtime", "threads", 1, 256)),
        new Drafting(
            oneOf(drafting, "drafting", "default", DRAFTERS),
            optionalPath(drafting, "drafting.model"),
            intIn(drafting, "drafting", "ngram_min", 1, 8),
            intIn(drafting, "drafting", "ngram_max", 1, 8),
            nonNegative(drafting, "drafting", "price_per_1k_tokens_usd")),
        spec,
        tiers,
        defaultTier);
  }

  private List<Tier> tiers(JsonObject json) {
    JsonArray array = json.getJsonArray("tiers");
    if (array == null || array.isEmpty()) {
      throw new IllegalArgumentException("tiers must list at least one tier");
    }
    List<Tier> tiers = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      String where = "tiers[" + i + "]";
      JsonObject t = array.getJsonObject(i);
      String name = t.getString("name");
      if (name == null || name.isBlank() || name.equals("auto")) {
        throw new IllegalArgumentException(
            where + ".name must be a non-empty name other than 'auto'");
      }
      if (!names.add(name)) {
        throw new IllegalArgumentException(where + ".name '" + name + "' is used twice");
      }
      String verifier = oneOf(t, where, "verifier", VERIFIERS);
      Path model = optionalPath(t, where + ".model");
      List<String> endpoints = new ArrayList<>();
      t.getJsonArray("endpoints", new JsonArray()).forEach(e -> endpoints.add(String.valueOf(e)));
      if (model == null && !verifier.equals("synthetic")) {
        throw new IllegalArgumentException(where + ".model must name a model directory");
      }
      TandemConfig.Synthetic synthetic = null;
      if (verifier.equals("synthetic")) {
        JsonObject s = object(t, "synthetic");
        double pace = nonNegative(s, where + ".synthetic", "pace_ms");
        double alpha = nonNegative(s, where + ".synthetic", "alpha");
        if (alpha > 1) {
          throw new IllegalArgumentException(
              where + ".synthetic.alpha must be in [0, 1], got " + alpha);
        }
        synthetic = new TandemConfig.Synthetic(pace, alpha);
      }
      TandemConfig.OpenAi openai = null;
      if (verifier.equals("openai")) {
        JsonObject o = object(t, "openai");
        String baseUrl = o.getString("base_url");
        String served = o.getString("model");
        if (baseUrl == null || served == null) {
          throw new IllegalArgumentException(
              where + ".openai needs base_url (server root) and model (the served model's name)");
        }
        openai =
            new TandemConfig.OpenAi(
                baseUrl,
                served,
                o.containsKey("top_n") ? intIn(o, where + ".openai", "top_n", 1, 1024) : 20,
                o.containsKey("logprobs_mode")
                    ? oneOf(
                        o, where + ".openai", "logprobs_mode", Set.of("prompt_logprobs", "echo"))
                    : "prompt_logprobs",
                o.getString("api_key_env"));
      }
      if (verifier.equals("grpc") && endpoints.isEmpty()) {
        throw new IllegalArgumentException(
            where + ".endpoints must list host:port of verifier servers for verifier: grpc");
      }
      int maxSessions =
          t.containsKey("max_sessions") ? intIn(t, where, "max_sessions", 1, 1 << 20) : 1024;
      tiers.add(
          new Tier(
              name,
              verifier,
              model,
              endpoints,
              nonNegative(t, where, "price_per_1k_tokens_usd"),
              synthetic,
              maxSessions,
              openai));
    }
    return tiers;
  }

  private static JsonObject object(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject o)) {
      throw new IllegalArgumentException(key + " must be a mapping");
    }
    return o;
  }

  private static int intIn(JsonObject json, String section, String key, int min, int max) {
    Object value = json.getValue(key);
    if (!(value instanceof Number n)
        || n.doubleValue() != Math.rint(n.doubleValue())
        || n.longValue() < min
        || n.longValue() > max) {
      throw new IllegalArgumentException(
          section + "." + key + " must be an integer in " + min + ".." + max + ", got " + value);
    }
    return n.intValue();
  }

  private static double nonNegative(JsonObject json, String section, String key) {
    Object value = json.getValue(key, 0);
    if (!(value instanceof Number n)
        || !(n.doubleValue() >= 0)
        || Double.isInfinite(n.doubleValue())) {
      throw new IllegalArgumentException(
          section + "." + key + " must be a number >= 0, got " + value);
    }
    return n.doubleValue();
  }

  private static String oneOf(JsonObject json, String section, String key, Set<String> allowed) {
    Object value = json.getValue(key);
    if (!(value instanceof String s) || !allowed.contains(s)) {
      throw new IllegalArgumentException(
          section
              + "."
              + key
              + " must be one of "
              + String.join(", ", new java.util.TreeSet<>(allowed))
              + ", got "
              + value);
    }
    return s;
  }

  private Path optionalPath(JsonObject json, String keyPath) {
    String key = keyPath.substring(keyPath.lastIndexOf('.') + 1);
    String value = json.getString(key);
    if (value == null || value.isBlank()) {
      return null;
    }
    Path path = baseDir.resolve(value).normalize();
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException(
          keyPath + " must be a model directory, " + path + " is not one");
    }
    return path;
  }
}
