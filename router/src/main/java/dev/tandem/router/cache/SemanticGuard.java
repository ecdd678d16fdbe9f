package dev.tandem.router.cache;

import java.util.Optional;

/**
 * Decides whether a cached prompt's answer may serve a new prompt whose embedding is close enough:
 * the similarity threshold alone lets "How do I enable IPv6?" answer "How do I disable IPv6?".
 * Stateless and thread-safe.
 */
public enum SemanticGuard {
  /** the threshold alone decides */
  OFF,
  /** numbers (in order), negations and named entities (in order) must match */
  FACTS,
  /**
   * as FACTS, and the content terms must be the same set (only framing and stop words may differ)
   */
  TERMS;

  /** The config name ({@code cache.semantic.guard}). */
  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Why {@code cached}'s answer must not serve {@code incoming}, or empty when it may.
   *
   * @return "numbers", "negation", "entities" or "terms"
   */
  public Optional<String> reject(PromptFacts cached, PromptFacts incoming) {
    if (this == OFF) {
      return Optional.empty();
    }
    if (!cached.numbers().equals(incoming.numbers())) {
      return Optional.of("numbers");
    }
    if (!cached.negations().equals(incoming.negations())) {
      return Optional.of("negation");
    }
    if (!cached.entities().equals(incoming.entities())) {
      return Optional.of("entities");
    }
    if (this == TERMS && !cached.terms().equals(incoming.terms())) {
      return Optional.of("terms");
    }
    return Optional.empty();
  }
}
