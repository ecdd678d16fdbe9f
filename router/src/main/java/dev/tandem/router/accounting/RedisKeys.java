package dev.tandem.router.accounting;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Where the Redis accounting store keeps a tenant's state. Every key of one tenant starts with
 * {@code <prefix>:{<tenant>}} (the tenant URL-encoded, so its name cannot break the braces): Redis
 * Cluster hashes only the part in braces, so all of a tenant's keys share one slot and each Lua
 * script runs on one node.
 *
 * <ul>
 *   <li>{@code :res} hash, reservation id → {@code "cost tokens minute day month"}
 *   <li>{@code :lease} sorted set, reservation id → when its lease lapses (epoch ms); its size is
 *       the streams in flight
 *   <li>{@code :lapsed} hash, reservations reclaimed from a dead router, kept for a late settle
 *   <li>{@code :seq} reservation ids
 *   <li>{@code :m:<epoch minute>} hash {@code r} requests, {@code t} tokens (expires after 2 min)
 *   <li>{@code :b:<yyyy-MM-dd>} and {@code :b:<yyyy-MM>} hash {@code c} committed, {@code h} held
 *       nano-USD (expire a day after their period)
 *   <li>{@code :u:<yyyy-MM-dd>} hash, {@code <group>|c|r|t}: the day's spend per tier and tags
 *       (kept {@code redis.usage_retention_days})
 *   <li>{@code :once:<token>} marker of a commit without reservation (fail_open)
 * </ul>
 *
 * <p>Plus one global set {@code <prefix>:tenants} of the tenants with usage. Immutable.
 */
record RedisKeys(String prefix) {

  /** The common start of one tenant's keys (with its hash tag). */
  String base(String tenant) {
    return prefix + ":{" + URLEncoder.encode(tenant, StandardCharsets.UTF_8) + "}";
  }

  String reservations(String tenant) {
    return base(tenant) + ":res";
  }

  String leases(String tenant) {
    return base(tenant) + ":lease";
  }

  String lapsed(String tenant) {
    return base(tenant) + ":lapsed";
  }

  String sequence(String tenant) {
    return base(tenant) + ":seq";
  }

  String minute(String tenant, long minute) {
    return base(tenant) + ":m:" + minute;
  }

  /** The budget window of a day ({@code yyyy-MM-dd}) or month ({@code yyyy-MM}). */
  String budget(String tenant, String period) {
    return base(tenant) + ":b:" + period;
  }

  String usage(String tenant, String day) {
    return base(tenant) + ":u:" + day;
  }

  String once(String tenant, String token) {
    return base(tenant) + ":once:" + token;
  }

  String tenants() {
    return prefix + ":tenants";
  }
}
