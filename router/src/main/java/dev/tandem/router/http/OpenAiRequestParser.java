package dev.tandem.router.http;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.GenerationRequest.Budget;
import dev.tandem.router.api.GenerationRequest.ChatMessage;
import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import dev.tandem.router.api.GenerationRequest.SpeculationOverride;
import dev.tandem.router.api.GenerationRequest.TierPins;
import dev.tandem.router.api.RequestValidator.RawRequest;
import dev.tandem.router.errors.TandemException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads OpenAI-style request bodies ({@code /v1/completions}, {@code /v1/chat/completions}) into
 * raw fields, with Tandem's optional extras: {@code top_k}, {@code budget}, {@code speculation},
 * {@code tags}, {@code cache}, {@code routing} ({@code min_tier}, {@code max_tier}). A field of the
 * wrong JSON type is an INVALID_ARGUMENT naming it. Stateless.
 */
final class OpenAiRequestParser {

  private OpenAiRequestParser() {}

  /** What the HTTP layer needs besides the raw request. */
  record Parsed(RawRequest raw, boolean stream, boolean includeUsage) {}

  static Parsed completion(JsonObject body) {
    Object prompt = body.getValue("prompt");
    String text;
    if (prompt instanceof String s) {
      text = s;
    } else if (prompt instanceof JsonArray a
        && a.size() == 1
        && a.getValue(0) instanceof String s) {
      text = s;
    } else if (prompt == null) {
      throw TandemException.invalid("prompt", "prompt is required and must be a string");
    } else {
      throw TandemException.invalid(
          "prompt", "prompt must be a string (or an array of exactly one string)");
    }
    return parse(body, text, null);
  }

  static Parsed chat(JsonObject body) {
    JsonArray array = get(body, "messages", JsonArray.class);
    if (array == null) {
      throw TandemException.invalid("messages", "messages is required and must be an array");
    }
    List<ChatMessage> messages = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject m)) {
        throw TandemException.invalid("messages", "messages[" + i + "] must be an object");
      }
      Object content = m.getValue("content");
      if (!(content instanceof String)) {
        throw TandemException.invalid("messages", "messages[" + i + "].content must be a string");
      }
      messages.add(new ChatMessage(String.valueOf(m.getValue("role")), (String) content));
    }
    return parse(body, null, messages);
  }

  private static Parsed parse(JsonObject body, String prompt, List<ChatMessage> messages) {
    Number maxTokens = get(body, "max_tokens", Number.class);
    if (maxTokens == null) {
      maxTokens = get(body, "max_completion_tokens", Number.class);
    }
    Number temperature = get(body, "temperature", Number.class);
    Number topP = get(body, "top_p", Number.class);
    Number topK = get(body, "top_k", Number.class);
    Number seed = get(body, "seed", Number.class);
    Boolean stream = get(body, "stream", Boolean.class);
    JsonObject streamOptions = get(body, "stream_options", JsonObject.class);
    boolean includeUsage =
        streamOptions != null
            && Boolean.TRUE.equals(get(streamOptions, "include_usage", Boolean.class));
    Number n = get(body, "n", Number.class);
    if (n != null && n.intValue() != 1) {
      throw TandemException.invalid("n", "n must be 1 (one choice per request), got " + n);
    }
    RawRequest raw =
        new RawRequest(
            get(body, "model", String.class),
            prompt,
            messages,
            maxTokens == null ? null : integral("max_tokens", maxTokens),
            temperature == null ? null : temperature.floatValue(),
            topP == null ? null : topP.floatValue(),
            topK == null ? null : integral("top_k", topK),
            seed == null ? null : integral("seed", seed),
            stop(body.getValue("stop")),
            budget(get(body, "budget", JsonObject.class)),
            speculation(get(body, "speculation", JsonObject.class)),
            cacheMode(get(body, "cache", String.class)),
            tags(get(body, "tags", JsonObject.class)),
            false,
            pins(get(body, "routing", JsonObject.class)));
    return new Parsed(raw, Boolean.TRUE.equals(stream), includeUsage);
  }

  private static GenerationRequest.CacheMode cacheMode(String cache) {
    if (cache == null) {
      return null;
    }
    return switch (cache) {
      case "auto" -> GenerationRequest.CacheMode.AUTO;
      case "exact" -> GenerationRequest.CacheMode.EXACT;
      case "semantic" -> GenerationRequest.CacheMode.SEMANTIC;
      case "bypass" -> GenerationRequest.CacheMode.BYPASS;
      default ->
          throw TandemException.invalid(
              "cache", "cache must be one of auto, exact, semantic, bypass, got '" + cache + "'");
    };
  }

  private static <T> T get(JsonObject json, String field, Class<T> type) {
    Object value = json.getValue(field);
    if (value == null || type.isInstance(value)) {
      return type.cast(value);
    }
    throw TandemException.invalid(
        field, field + " must be " + typeName(type) + ", got " + jsonTypeName(value));
  }

  private static String typeName(Class<?> type) {
    return type == Number.class
        ? "a number"
        : type == Boolean.class
            ? "a boolean"
            : type == String.class
                ? "a string"
                : type == JsonArray.class ? "an array" : "an object";
  }

  private static String jsonTypeName(Object value) {
    return value instanceof Number
        ? "a number"
        : value instanceof Boolean
            ? "a boolean"
            : value instanceof String
                ? "a string"
                : value instanceof JsonArray ? "an array" : "an object";
  }

  private static long integral(String field, Number value) {
    double d = value.doubleValue();
    if (d != Math.rint(d) || Double.isInfinite(d)) {
      throw TandemException.invalid(field, field + " must be an integer, got " + value);
    }
    return value.longValue();
  }

  private static List<String> stop(Object stop) {
    if (stop == null) {
      return null;
    }
    if (stop instanceof String s) {
      return List.of(s);
    }
    if (stop instanceof JsonArray array) {
      List<String> list = new ArrayList<>();
      for (Object o : array) {
        if (!(o instanceof String s)) {
          throw TandemException.invalid("stop", "stop must be a string or an array of strings");
        }
        list.add(s);
      }
      return list;
    }
    throw TandemException.invalid("stop", "stop must be a string or an array of strings");
  }

  private static TierPins pins(JsonObject routing) {
    if (routing == null) {
      return null;
    }
    for (String key : routing.fieldNames()) {
      if (!key.equals("min_tier") && !key.equals("max_tier")) {
        throw TandemException.invalid(
            "routing." + key, "routing." + key + " is not a known field (min_tier, max_tier)");
      }
    }
    return new TierPins(
        get(routing, "min_tier", String.class), get(routing, "max_tier", String.class));
  }

  private static Budget budget(JsonObject budget) {
    if (budget == null) {
      return null;
    }
    Number cost = get(budget, "max_cost_usd", Number.class);
    Number ttft = get(budget, "ttft_ms", Number.class);
    Number tpot = get(budget, "tpot_ms", Number.class);
    return new Budget(
        cost == null ? 0 : cost.doubleValue(),
        ttft == null ? 0 : (int) Math.min(Integer.MAX_VALUE, integral("budget.ttft_ms", ttft)),
        tpot == null ? 0 : (int) Math.min(Integer.MAX_VALUE, integral("budget.tpot_ms", tpot)));
  }

  private static SpeculationOverride speculation(JsonObject speculation) {
    if (speculation == null) {
      return null;
    }
    String mode = get(speculation, "mode", String.class);
    SpeculationMode parsed;
    try {
      parsed =
          mode == null
              ? SpeculationMode.AUTO
              : SpeculationMode.valueOf(mode.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw TandemException.invalid(
          "speculation.mode", "speculation.mode must be auto, off or fixed, got " + mode);
    }
    Number k = get(speculation, "k", Number.class);
    long kValue = k == null ? 0 : integral("speculation.k", k);
    return new SpeculationOverride(
        parsed,
        (int) Math.max(-1, Math.min(Integer.MAX_VALUE, kValue)),
        get(speculation, "drafter", String.class));
  }

  private static Map<String, String> tags(JsonObject tags) {
    if (tags == null) {
      return null;
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : tags) {
      if (!(e.getValue() instanceof String s)) {
        throw TandemException.invalid("tags", "tags." + e.getKey() + " must be a string");
      }
      map.put(e.getKey(), s);
    }
    return map;
  }
}
