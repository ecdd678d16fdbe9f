package dev.tandem.router.api;

import dev.tandem.speccore.SamplingParams;
import java.util.List;
import java.util.Map;

/**
 * One generation request after validation, independent of the transport it came from (gRPC or the
 * OpenAI-compatible HTTP API). Built only by {@link RequestValidator}, so every instance is within
 * the router's limits.
 *
 * @param model the tier to serve it, or {@code auto}
 * @param prompt raw text or chat messages
 * @param maxTokens tokens to generate at most, 1..the configured limit
 * @param sampling temperature, top-p, top-k and seed
 * @param stop stop sequences (0..4)
 * @param budget cost and latency budgets
 * @param speculation per-request override of the speculation policy
 * @param cache how the response cache may serve and store this request
 * @param tags cost-attribution labels
 * @param returnTokenIds whether chunks carry token ids
 * @param pins the cheapest and dearest tier this request accepts
 * @param seeded whether the client fixed the seed (a sampled request is then reproducible)
 */
public record GenerationRequest(
    String model,
    Prompt prompt,
    int maxTokens,
    SamplingParams sampling,
    List<String> stop,
    Budget budget,
    SpeculationOverride speculation,
    CacheMode cache,
    Map<String, String> tags,
    boolean returnTokenIds,
    TierPins pins,
    boolean seeded) {

  public GenerationRequest {
    stop = List.copyOf(stop);
    tags = Map.copyOf(tags);
  }

  /** Whether the request was deterministic: greedy, or sampled with a seed the client fixed. */
  public boolean deterministic() {
    return sampling.isGreedy() || seeded;
  }

  /** Whether it samples with a seed the client fixed: its output depends on every step's k. */
  public boolean seededSample() {
    return seeded && !sampling.isGreedy();
  }

  /**
   * How the response cache treats a request ({@code cache} in both APIs). Only deterministic
   * requests are ever served from or stored in the cache, whatever the mode.
   */
  public enum CacheMode {
    /** the exact cache, and the semantic cache where the config turns it on for tenant or tier */
    AUTO,
    /** the exact cache only */
    EXACT,
    /** the exact cache, then the semantic cache (another prompt's answer; never exact) */
    SEMANTIC,
    /** neither read nor write the cache */
    BYPASS
  }

  /** What to complete. */
  public sealed interface Prompt permits TextPrompt, ChatPrompt {}

  /** A raw prompt. */
  public record TextPrompt(String text) implements Prompt {}

  /** Chat messages, rendered with the model's chat template. */
  public record ChatPrompt(List<ChatMessage> messages) implements Prompt {
    public ChatPrompt {
      messages = List.copyOf(messages);
    }
  }

  /** One chat message; role is system, user or assistant. */
  public record ChatMessage(String role, String content) {}

  /**
   * Budgets; 0 means "none" for each.
   *
   * @param maxCostUsd most the request may cost
   * @param ttftMs target time to first token
   * @param tpotMs target time per output token
   */
  public record Budget(double maxCostUsd, int ttftMs, int tpotMs) {
    public static final Budget NONE = new Budget(0, 0, 0);
  }

  /** How the request wants speculation done. */
  public enum SpeculationMode {
    AUTO,
    OFF,
    FIXED
  }

  /**
   * @param mode auto (policy), off (k = 0) or fixed (always k)
   * @param k the fixed k, or the cap for auto (0 = the router's k_max)
   * @param drafter "model", "ngram", "none", or "auto"
   */
  public record SpeculationOverride(SpeculationMode mode, int k, String drafter) {
    public static final SpeculationOverride DEFAULT =
        new SpeculationOverride(SpeculationMode.AUTO, 0, "auto");
  }

  /**
   * The request's own bounds on the tier that serves it ({@code routing.min_tier} / {@code
   * routing.max_tier}); they can only narrow the tenant's pins from config. Names are checked
   * against the tiers when the request is routed.
   *
   * @param minTier the cheapest tier allowed, or null for any
   * @param maxTier the dearest tier allowed, or null for any
   */
  public record TierPins(String minTier, String maxTier) {
    public static final TierPins NONE = new TierPins(null, null);
  }
}
