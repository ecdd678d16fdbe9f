package dev.tandem.router.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The effective configuration as JSON for {@code GET /admin/config}: every record component under
 * its config key (snake_case), enums in lower case, empty optionals as null, and secrets (API keys,
 * tokens, passwords) redacted whatever record they sit in. Stateless.
 */
public final class ConfigJson {

  /** Components whose values are never shown. */
  private static final Set<String> SECRETS =
      Set.of("apiKey", "apiKeys", "token", "secret", "password");

  private ConfigJson() {}

  public static JsonObject of(TandemConfig config) {
    return (JsonObject) value(config);
  }

  private static Object value(Object value) {
    return switch (value) {
      case null -> null;
      case Record r -> record(r);
      case Optional<?> o -> o.map(ConfigJson::value).orElse(null);
      case Collection<?> c -> {
        JsonArray array = new JsonArray();
        c.forEach(v -> array.add(value(v)));
        yield array;
      }
      case java.util.Map<?, ?> m -> {
        JsonObject object = new JsonObject();
        m.forEach((k, v) -> object.put(String.valueOf(k), value(v)));
        yield object;
      }
      case Enum<?> e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-');
      case Path p -> p.toString();
      case java.time.Duration d -> d.toMillis();
      case Number n -> n;
      case Boolean b -> b;
      default -> value.toString();
    };
  }

  private static JsonObject record(Record r) {
    JsonObject json = new JsonObject();
    if (r instanceof TandemConfig.VerifierBackend backend) {
      json.put("verifier", backend.kind());
    }
    for (RecordComponent component : r.getClass().getRecordComponents()) {
      Object v;
      try {
        v = component.getAccessor().invoke(r);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      String name = component.getName();
      // Durations are written as the config writes them: in milliseconds, under a *_ms key.
      String key = v instanceof java.time.Duration ? snake(name) + "_ms" : snake(name);
      json.put(key, SECRETS.contains(name) && v != null ? "<redacted>" : value(v));
    }
    return json;
  }

  private static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
