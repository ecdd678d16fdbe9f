package dev.tandem.router.accounting;

import java.util.Map;

/**
 * Who pays for a request: the tenant an API key belongs to, its limits and the tags its requests
 * carry by default (a request's own tags win).
 *
 * @param id the tenant's name, unique
 * @param limits quotas and budgets
 * @param defaultTags cost-attribution tags (e.g. {@code team}) added to every request
 * @param minTier the cheapest tier it may be served by, or null for any
 * @param maxTier the dearest tier it may be served by, or null for any
 */
public record Tenant(
    String id,
    TenantLimits limits,
    Map<String, String> defaultTags,
    String minTier,
    String maxTier) {

  /** The tenant every request runs as when no API keys are configured. */
  public static final Tenant ANONYMOUS =
      new Tenant("anonymous", TenantLimits.UNLIMITED, Map.of(), null, null);

  public Tenant {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("tenant id must not be blank");
    }
    if (limits == null) {
      throw new IllegalArgumentException("tenant " + id + ": limits must not be null");
    }
    defaultTags = Map.copyOf(defaultTags);
  }
}
