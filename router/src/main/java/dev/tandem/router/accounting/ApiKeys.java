package dev.tandem.router.accounting;

import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.TandemException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * API key → tenant. Config holds only SHA-256 hashes of the keys (hex), so a leaked config leaks no
 * key. With no keys configured every request runs as {@link Tenant#ANONYMOUS} (the embedded
 * default, on loopback).
 *
 * <p>Immutable; thread-safe.
 */
public final class ApiKeys {

  private final Map<String, Tenant> bySha256;

  /**
   * @param bySha256 lower-case hex SHA-256 of each key → its tenant; empty for anonymous mode
   */
  public ApiKeys(Map<String, Tenant> bySha256) {
    for (String hash : bySha256.keySet()) {
      if (!hash.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException(
            "api key hashes must be 64 lower-case hex digits (SHA-256), got one of length "
                + hash.length());
      }
    }
    this.bySha256 = Map.copyOf(bySha256);
  }

  /** No keys: everyone is anonymous. */
  public static ApiKeys anonymous() {
    return new ApiKeys(Map.of());
  }

  public boolean required() {
    return !bySha256.isEmpty();
  }

  /**
   * The tenant of a presented key ({@code Authorization: Bearer KEY} or gRPC metadata).
   *
   * @param presented the key as sent, or null when none was sent
   * @throws TandemException UNAUTHENTICATED for a missing or unknown key (never saying which keys
   *     exist)
   */
  public Tenant authenticate(String presented) {
    if (!required()) {
      return Tenant.ANONYMOUS;
    }
    if (presented == null || presented.isEmpty()) {
      throw new TandemException(
          ErrorKind.UNAUTHENTICATED, "an API key is required: send Authorization: Bearer <key>");
    }
    Tenant tenant = bySha256.get(sha256(presented));
    if (tenant == null) {
      throw new TandemException(ErrorKind.UNAUTHENTICATED, "the API key is not valid");
    }
    return tenant;
  }

  /** Lower-case hex SHA-256 of a key's UTF-8 bytes: what config stores. */
  public static String sha256(String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
