package dev.tandem.router.api;

/**
 * What the router accepts, from its configuration.
 *
 * @param maxTokens largest max_tokens
 * @param defaultMaxTokens max_tokens when the request gives none
 * @param maxPromptChars largest prompt in characters (before tokenization)
 * @param kMax largest draft length a request may ask for
 * @param maxTags most cost-attribution tags
 */
public record RequestLimits(
    int maxTokens, int defaultMaxTokens, int maxPromptChars, int kMax, int maxTags) {

  public RequestLimits {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("limits.max_tokens must be >= 1, got " + maxTokens);
    }
    if (defaultMaxTokens < 1 || defaultMaxTokens > maxTokens) {
      throw new IllegalArgumentException(
          "limits.default_max_tokens must be in 1.." + maxTokens + ", got " + defaultMaxTokens);
    }
    if (maxPromptChars < 1) {
      throw new IllegalArgumentException(
          "limits.max_prompt_chars must be >= 1, got " + maxPromptChars);
    }
    if (kMax < 0 || kMax > 16) {
      throw new IllegalArgumentException("speculation.k_max must be in 0..16, got " + kMax);
    }
  }
}
