package dev.tandem.router.api;

import dev.tandem.router.api.GenerationRequest.Budget;
import dev.tandem.router.api.GenerationRequest.ChatMessage;
import dev.tandem.router.api.GenerationRequest.ChatPrompt;
import dev.tandem.router.api.GenerationRequest.Prompt;
import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import dev.tandem.router.api.GenerationRequest.SpeculationOverride;
import dev.tandem.router.api.GenerationRequest.TextPrompt;
import dev.tandem.router.api.GenerationRequest.TierPins;
import dev.tandem.router.errors.TandemException;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.streaming.StopSequenceFilter;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks raw request fields against the router's limits and builds a {@link GenerationRequest}.
 * Every rejection is a {@link TandemException} of kind INVALID_ARGUMENT whose message names the
 * field (with the transport's spelling) and the allowed range. Stateless and thread-safe.
 */
public final class RequestValidator {

  private static final Set<String> ROLES = Set.of("system", "user", "assistant");
  private static final Set<String> DRAFTERS = Set.of("auto", "model", "ngram", "none");
  private static final int MAX_TAG_KEY = 64;
  private static final int MAX_TAG_VALUE = 256;

  private final RequestLimits limits;

  public RequestValidator(RequestLimits limits) {
    this.limits = limits;
  }

  public RequestLimits limits() {
    return limits;
  }

  /** Raw fields as a transport decoded them; null means "not given". */
  public record RawRequest(
      String model,
      String prompt,
      List<ChatMessage> messages,
      Long maxTokens,
      Float temperature,
      Float topP,
      Long topK,
      Long seed,
      List<String> stop,
      Budget budget,
      SpeculationOverride speculation,
      GenerationRequest.CacheMode cache,
      Map<String, String> tags,
      boolean returnTokenIds,
      TierPins pins) {}

  public GenerationRequest validate(RawRequest raw) {
    String model = raw.model() == null || raw.model().isBlank() ? "auto" : raw.model();
    return new GenerationRequest(
        model,
        prompt(raw),
        maxTokens(raw.maxTokens()),
        sampling(raw),
        stop(raw.stop()),
        budget(raw.budget()),
        speculation(raw.speculation()),
        raw.cache() == null ? GenerationRequest.CacheMode.AUTO : raw.cache(),
        tags(raw.tags()),
        raw.returnTokenIds(),
        pins(raw.pins()),
        raw.seed() != null);
  }

  private Prompt prompt(RawRequest raw) {
    if (raw.messages() != null && raw.prompt() != null) {
      throw TandemException.invalid("prompt", "give either prompt or messages, not both");
    }
    if (raw.messages() != null) {
      return chat(raw.messages());
    }
    if (raw.prompt() == null || raw.prompt().isEmpty()) {
      throw TandemException.invalid("prompt", "prompt must be a non-empty string");
    }
    checkPromptSize("prompt", raw.prompt().length());
    return new TextPrompt(raw.prompt());
  }

  private ChatPrompt chat(List<ChatMessage> messages) {
    if (messages.isEmpty()) {
      throw TandemException.invalid("messages", "messages must hold at least one message");
    }
    int chars = 0;
    for (int i = 0; i < messages.size(); i++) {
      ChatMessage m = messages.get(i);
      if (m == null || m.role() == null || !ROLES.contains(m.role())) {
        throw TandemException.invalid(
            "messages",
            "messages["
                + i
                + "].role must be one of system, user, assistant, got "
                + (m == null ? "null" : m.role()));
      }
      if (m.content() == null) {
        throw TandemException.invalid("messages", "messages[" + i + "].content must be a string");
      }
      chars += m.content().length();
    }
    checkPromptSize("messages", chars);
    return new ChatPrompt(messages);
  }

  private void checkPromptSize(String field, int chars) {
    if (chars > limits.maxPromptChars()) {
      throw TandemException.invalid(
          field,
          field + " must have at most " + limits.maxPromptChars() + " characters, got " + chars);
    }
  }

  private int maxTokens(Long maxTokens) {
    if (maxTokens == null) {
      return limits.defaultMaxTokens();
    }
    if (maxTokens < 1 || maxTokens > limits.maxTokens()) {
      throw TandemException.invalid(
          "max_tokens", "max_tokens must be in 1.." + limits.maxTokens() + ", got " + maxTokens);
    }
    return maxTokens.intValue();
  }

  private static SamplingParams sampling(RawRequest raw) {
    float temperature = raw.temperature() == null ? 0f : raw.temperature();
    if (!(temperature >= 0f && temperature <= SamplingParams.MAX_TEMPERATURE)) {
      throw TandemException.invalid(
          "temperature",
          "temperature must be in 0.." + SamplingParams.MAX_TEMPERATURE + ", got " + temperature);
    }
    float topP = raw.topP() == null ? 1f : raw.topP();
    if (!(topP > 0f && topP <= 1f)) {
      throw TandemException.invalid("top_p", "top_p must be in (0, 1], got " + topP);
    }
    long topK = raw.topK() == null ? 0 : raw.topK();
    if (topK < 0 || topK > Integer.MAX_VALUE) {
      throw TandemException.invalid(
          "top_k", "top_k must be in 0.." + Integer.MAX_VALUE + " (0 = off), got " + topK);
    }
    long seed = raw.seed() == null ? System.nanoTime() : raw.seed();
    return new SamplingParams(temperature, topP, (int) topK, seed);
  }

  /** The stream's own filter enforces the limits; its messages name the field already. */
  private static List<String> stop(List<String> stop) {
    if (stop == null) {
      return List.of();
    }
    try {
      new StopSequenceFilter(stop);
    } catch (IllegalArgumentException e) {
      throw TandemException.invalid("stop", e.getMessage());
    }
    return stop;
  }

  private static TierPins pins(TierPins pins) {
    if (pins == null) {
      return TierPins.NONE;
    }
    checkTierName("routing.min_tier", pins.minTier());
    checkTierName("routing.max_tier", pins.maxTier());
    return pins;
  }

  private static void checkTierName(String field, String name) {
    if (name != null && name.isBlank()) {
      throw TandemException.invalid(field, field + " must name a tier, got an empty string");
    }
  }

  private static Budget budget(Budget budget) {
    if (budget == null) {
      return Budget.NONE;
    }
    if (!(budget.maxCostUsd() >= 0) || Double.isInfinite(budget.maxCostUsd())) {
      throw TandemException.invalid(
          "budget.max_cost_usd",
          "budget.max_cost_usd must be >= 0 (0 = none), got " + budget.maxCostUsd());
    }
    if (budget.ttftMs() < 0 || budget.tpotMs() < 0) {
      throw TandemException.invalid(
          "budget", "budget.ttft_ms and budget.tpot_ms must be >= 0 (0 = none)");
    }
    return budget;
  }

  private SpeculationOverride speculation(SpeculationOverride s) {
    if (s == null) {
      return SpeculationOverride.DEFAULT;
    }
    String drafter = s.drafter() == null || s.drafter().isEmpty() ? "auto" : s.drafter();
    if (!DRAFTERS.contains(drafter)) {
      throw TandemException.invalid(
          "speculation.drafter",
          "speculation.drafter must be one of auto, model, ngram, none, got " + drafter);
    }
    int low = s.mode() == SpeculationMode.FIXED ? 1 : 0;
    if (s.k() < low || s.k() > limits.kMax()) {
      throw TandemException.invalid(
          "speculation.k",
          "speculation.k must be in " + low + ".." + limits.kMax() + ", got " + s.k());
    }
    return new SpeculationOverride(s.mode(), s.k(), drafter);
  }

  private Map<String, String> tags(Map<String, String> tags) {
    if (tags == null) {
      return Map.of();
    }
    if (tags.size() > limits.maxTags()) {
      throw TandemException.invalid(
          "tags", "tags must have at most " + limits.maxTags() + " entries, got " + tags.size());
    }
    for (Map.Entry<String, String> e : tags.entrySet()) {
      if (e.getKey().isEmpty()
          || e.getKey().length() > MAX_TAG_KEY
          || e.getValue() == null
          || e.getValue().length() > MAX_TAG_VALUE) {
        throw TandemException.invalid(
            "tags",
            "tag keys must have 1.."
                + MAX_TAG_KEY
                + " characters and values at most "
                + MAX_TAG_VALUE
                + ", got key '"
                + e.getKey()
                + "'");
      }
    }
    return tags;
  }
}
