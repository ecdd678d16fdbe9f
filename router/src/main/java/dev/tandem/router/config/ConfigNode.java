package dev.tandem.router.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One mapping of the config tree with its key path, read strictly: every getter names the key and
 * what is allowed when the value is wrong, and {@link #finish()} rejects keys nobody read (a typo
 * must not be ignored), suggesting the nearest known key.
 *
 * <p>Not thread-safe; used by one reader at a time.
 */
final class ConfigNode {

  private final String path;
  private final JsonObject json;
  private final Set<String> read = new LinkedHashSet<>();

  ConfigNode(String path, JsonObject json) {
    this.path = path;
    this.json = json;
  }

  /** The key path of {@code key} in this mapping. */
  String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  boolean has(String key) {
    read.add(key);
    return json.getValue(key) != null;
  }

  /** A nested mapping; an absent key reads as an empty mapping. */
  ConfigNode object(String key) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return new ConfigNode(keyPath(key), new JsonObject());
    }
    if (!(value instanceof JsonObject o)) {
      throw error(key, "must be a mapping, got " + describe(value));
    }
    return new ConfigNode(keyPath(key), o);
  }

  /** A list of mappings; an absent key reads as an empty list. */
  List<ConfigNode> objects(String key) {
    List<ConfigNode> nodes = new ArrayList<>();
    JsonArray array = array(key);
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject o)) {
        throw new ConfigException(
            keyPath(key) + "[" + i + "]",
            keyPath(key) + "[" + i + "] must be a mapping, got " + describe(array.getValue(i)));
      }
      nodes.add(new ConfigNode(keyPath(key) + "[" + i + "]", o));
    }
    return nodes;
  }

  /** A list of strings; an absent key reads as an empty list. */
  List<String> strings(String key) {
    List<String> values = new ArrayList<>();
    JsonArray array = array(key);
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String s) || s.isBlank()) {
        throw new ConfigException(
            keyPath(key) + "[" + i + "]",
            keyPath(key)
                + "["
                + i
                + "] must be a non-empty string, got "
                + describe(array.getValue(i)));
      }
      values.add(s);
    }
    return values;
  }

  private JsonArray array(String key) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray a)) {
      throw error(key, "must be a list, got " + describe(value));
    }
    return a;
  }

  String string(String key) {
    return optionalString(key).orElseThrow(() -> error(key, "is required"));
  }

  String string(String key, String defaultValue) {
    return optionalString(key).orElse(defaultValue);
  }

  Optional<String> optionalString(String key) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String s) || s.isBlank()) {
      throw error(key, "must be a non-empty string, got " + describe(value));
    }
    return Optional.of(s);
  }

  int integer(String key, int min, int max) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      throw error(key, "is required: an integer in " + min + ".." + max);
    }
    if (!(value instanceof Number n)
        || n.doubleValue() != Math.rint(n.doubleValue())
        || n.doubleValue() < min
        || n.doubleValue() > max) {
      throw error(key, "must be an integer in " + min + ".." + max + ", got " + describe(value));
    }
    return n.intValue();
  }

  int integer(String key, int min, int max, int defaultValue) {
    return has(key) ? integer(key, min, max) : defaultValue;
  }

  /** A finite number {@code >= 0}; absent reads as 0. */
  double nonNegative(String key) {
    read.add(key);
    Object value = json.getValue(key, 0);
    if (!(value instanceof Number n)
        || !(n.doubleValue() >= 0)
        || Double.isInfinite(n.doubleValue())) {
      throw error(key, "must be a number >= 0, got " + describe(value));
    }
    return n.doubleValue();
  }

  /** The keys present here (each counts as read: the caller reads every one). */
  List<String> keys() {
    List<String> keys = new ArrayList<>(new TreeSet<>(json.fieldNames()));
    read.addAll(keys);
    return keys;
  }

  /** A list of numbers; empty when absent. */
  List<Double> numbers(String key) {
    List<Double> values = new ArrayList<>();
    JsonArray array = array(key);
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        throw new ConfigException(
            keyPath(key) + "[" + i + "]",
            keyPath(key) + "[" + i + "] must be a number, got " + describe(array.getValue(i)));
      }
      values.add(n.doubleValue());
    }
    return values;
  }

  /** A required number in [min, max]. */
  double number(String key, double min, double max) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      throw error(key, "is required: a number in " + range(min, max));
    }
    if (!(value instanceof Number n) || !(n.doubleValue() >= min && n.doubleValue() <= max)) {
      throw error(key, "must be a number in " + range(min, max) + ", got " + describe(value));
    }
    return n.doubleValue();
  }

  private static String range(double min, double max) {
    return "[" + plain(min) + ", " + plain(max) + "]";
  }

  private static String plain(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  /** A required number in [0, 1]. */
  double fraction(String key) {
    return number(key, 0, 1);
  }

  boolean bool(String key, boolean defaultValue) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Boolean b)) {
      throw error(key, "must be true or false, got " + describe(value));
    }
    return b;
  }

  /** One of an enum's constants, written in lower case with '-' or '_' for '_'. */
  <E extends Enum<E>> E oneOf(String key, Class<E> type) {
    read.add(key);
    Object value = json.getValue(key);
    if (value instanceof String s) {
      Optional<E> constant = constant(type, s);
      if (constant.isPresent()) {
        return constant.get();
      }
    }
    throw error(key, "must be one of " + names(type) + ", got " + describe(value));
  }

  /** The constant of {@code type} that {@code s} names: any case, {@code -} for {@code _}. */
  static <E extends Enum<E>> Optional<E> constant(Class<E> type, String s) {
    String name = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(name)) {
        return Optional.of(constant);
      }
    }
    return Optional.empty();
  }

  <E extends Enum<E>> E oneOf(String key, Class<E> type, E defaultValue) {
    return has(key) ? oneOf(key, type) : defaultValue;
  }

  static <E extends Enum<E>> String names(Class<E> type) {
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      names.add(constant.name().toLowerCase(Locale.ROOT));
    }
    return String.join(" | ", names);
  }

  /** Rejects keys no getter asked for, suggesting the nearest known one. */
  void finish() {
    for (String key : new TreeSet<>(json.fieldNames())) {
      if (!read.contains(key)) {
        String hint =
            KeySuggestions.nearest(key, read).map(k -> " (did you mean '" + k + "'?)").orElse("");
        throw new ConfigException(
            keyPath(key),
            keyPath(key) + " is not a known key" + hint + "; known here: " + new TreeSet<>(read));
      }
    }
  }

  ConfigException error(String key, String problem) {
    return new ConfigException(keyPath(key), keyPath(key) + " " + problem);
  }

  static String describe(Object value) {
    if (value == null) {
      return "nothing";
    }
    return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
  }
}
