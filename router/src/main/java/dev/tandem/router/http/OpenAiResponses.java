package dev.tandem.router.http;

import dev.tandem.router.engine.GenerationResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * OpenAI-shaped response bodies and stream chunks for completions and chat completions, with
 * Tandem's speculation figures under {@code usage.tandem}. Stateless.
 */
final class OpenAiResponses {

  private OpenAiResponses() {}

  /** Which endpoint a response belongs to. */
  enum Kind {
    COMPLETION("text_completion", "cmpl-"),
    CHAT("chat.completion", "chatcmpl-");

    final String object;
    final String idPrefix;

    Kind(String object, String idPrefix) {
      this.object = object;
      this.idPrefix = idPrefix;
    }
  }

  static String finishReason(GenerationResult.FinishReason reason) {
    return switch (reason) {
      case STOP, EOS -> "stop";
      case LENGTH, BUDGET -> "length";
    };
  }

  static JsonObject usage(GenerationResult r) {
    JsonObject tandem = tandem(r);
    r.cacheHit().ifPresent(hit -> tandem.put("cache", cacheHit(hit)));
    return new JsonObject()
        .put("prompt_tokens", r.promptTokens())
        .put("completion_tokens", r.completionTokens())
        .put("total_tokens", r.promptTokens() + r.completionTokens())
        .put("tandem", tandem);
  }

  /** Which cache answered: {@code {kind, similarity, prompt_id}}. */
  static JsonObject cacheHit(dev.tandem.router.cache.CacheMarker hit) {
    return new JsonObject()
        .put("kind", hit.kind().label())
        .put("similarity", hit.similarity())
        .put("prompt_id", hit.promptId());
  }

  private static JsonObject tandem(GenerationResult r) {
    return new JsonObject()
        .put("cost_usd", r.costUsd())
        .put("draft_tokens", r.draftTokens())
        .put("accepted_tokens", r.acceptedTokens())
        .put("verifier_calls", r.verifierCalls())
        .put("tokens_per_verifier_call", r.tokensPerVerifierCall())
        .put("drafter", r.drafter())
        .put("tier", r.tier())
        .put("route_reason", r.routeReason())
        .put("cached", r.cached())
        .put("finish_reason", r.finishReason().name().toLowerCase(java.util.Locale.ROOT));
  }

  /** The whole answer of a non-streaming request. */
  static JsonObject complete(Kind kind, String id, long created, String text, GenerationResult r) {
    JsonObject choice = new JsonObject().put("index", 0);
    if (kind == Kind.CHAT) {
      choice.put("message", new JsonObject().put("role", "assistant").put("content", text));
    } else {
      choice.put("text", text).putNull("logprobs");
    }
    choice.put("finish_reason", finishReason(r.finishReason()));
    return envelope(kind.object, id, created, r.model())
        .put("choices", new JsonArray().add(choice))
        .put("usage", usage(r));
  }

  /** One streamed delta; {@code finishReason} null except on the last choice chunk. */
  static JsonObject chunk(
      Kind kind,
      String id,
      long created,
      String model,
      String text,
      String finishReason,
      boolean first) {
    JsonObject choice = new JsonObject().put("index", 0);
    if (kind == Kind.CHAT) {
      JsonObject delta = new JsonObject();
      if (first) {
        delta.put("role", "assistant");
      }
      if (!text.isEmpty() || finishReason == null) {
        delta.put("content", text);
      }
      choice.put("delta", delta);
    } else {
      choice.put("text", text).putNull("logprobs");
    }
    choice.put("finish_reason", finishReason);
    String object = kind == Kind.CHAT ? "chat.completion.chunk" : "text_completion";
    return envelope(object, id, created, model).put("choices", new JsonArray().add(choice));
  }

  /** The usage-only chunk sent last when {@code stream_options.include_usage} is true. */
  static JsonObject usageChunk(Kind kind, String id, long created, GenerationResult r) {
    String object = kind == Kind.CHAT ? "chat.completion.chunk" : "text_completion";
    return envelope(object, id, created, r.model())
        .put("choices", new JsonArray())
        .put("usage", usage(r));
  }

  private static JsonObject envelope(String object, String id, long created, String model) {
    return new JsonObject()
        .put("id", id)
        .put("object", object)
        .put("created", created)
        .put("model", model);
  }
}
