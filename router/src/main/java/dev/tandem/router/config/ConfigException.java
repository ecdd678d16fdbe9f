package dev.tandem.router.config;

/**
 * A configuration that cannot be used. The message names the key path, the value and what is
 * allowed, e.g. {@code server.port must be an integer in 0..65535, got 70000}.
 */
public final class ConfigException extends IllegalArgumentException {

  private final String key;

  public ConfigException(String key, String message) {
    super(message);
    this.key = key;
  }

  /** The key path the problem is about, e.g. {@code tiers[1].endpoints[0]}. */
  public String key() {
    return key;
  }
}
