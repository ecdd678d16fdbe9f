package dev.tandem.router.cache;

/** Which cache answered a request. */
public enum CacheKind {
  /** the same prompt and parameters: by construction the text the verifier would produce */
  EXACT,
  /** a similar prompt's answer: never exact, and the response says so */
  SEMANTIC;

  /** The name in metrics labels and the OpenAI response. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
