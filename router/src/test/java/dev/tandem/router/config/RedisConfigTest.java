package dev.tandem.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.config.TandemConfig.RedisFailurePolicy;
import dev.tandem.router.config.TandemConfig.RedisMode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code redis:} section: typed, defaults stated, every bad value named by its key. */
class RedisConfigTest extends ConfigFixture {

  static JsonObject redis(JsonObject fields) {
    return new JsonObject().put("redis", fields);
  }

  static ConfigException rejected(JsonObject fields) {
    return assertThrows(ConfigException.class, () -> load(redis(fields)));
  }

  static JsonObject url(String... urls) {
    return new JsonObject().put("endpoints", new JsonArray(List.of((Object[]) urls)));
  }

  @Test
  void absentMeansInMemoryAndAStandaloneUrlGetsTheDefaults() {
    assertEquals(Optional.empty(), load(new JsonObject()).redis());
    TandemConfig.Redis r = load(redis(url("redis://cache-1:6380"))).redis().orElseThrow();
    assertEquals(RedisMode.STANDALONE, r.mode());
    assertEquals(List.of(URI.create("redis://cache-1:6380")), r.endpoints());
    assertEquals(Duration.ofMillis(250), r.timeout());
    assertEquals(RedisFailurePolicy.FAIL_CLOSED, r.onFailure());
    assertEquals("tandem", r.keyPrefix());
    assertEquals(Duration.ofSeconds(30), r.reservationLease());
    TandemConfig.Redis open =
        load(redis(
                url("rediss://s1:26379", "rediss://s2:26379")
                    .put("mode", "sentinel")
                    .put("master_name", "tandem")
                    .put("on_failure", "fail_open")
                    .put("timeout_ms", 50)))
            .redis()
            .orElseThrow();
    assertEquals(RedisMode.SENTINEL, open.mode());
    assertEquals(Optional.of("tandem"), open.masterName());
    assertEquals(RedisFailurePolicy.FAIL_OPEN, open.onFailure());
    assertEquals(Duration.ofMillis(50), open.timeout());
  }

  @Test
  void everyMistakeNamesItsKey() {
    assertEquals("redis.endpoints", rejected(new JsonObject()).key());
    assertEquals("redis.endpoints", rejected(url("redis://a:1", "redis://b:1")).key());
    ConfigException scheme = rejected(url("http://a:6379"));
    assertEquals("redis.endpoints[0]", scheme.key());
    assertTrue(scheme.getMessage().contains("rediss://"), scheme.getMessage());
    assertEquals(
        "redis.endpoints[0]", rejected(url("redis://:secret@a:6379")).key()); // no password in URLs
    assertEquals("redis.master_name", rejected(url("redis://a:1").put("mode", "sentinel")).key());
    assertEquals("redis.master_name", rejected(url("redis://a:1").put("master_name", "m")).key());
    assertEquals("redis.mode", rejected(url("redis://a:1").put("mode", "replica")).key());
    assertEquals("redis.timeout_ms", rejected(url("redis://a:1").put("timeout_ms", 0)).key());
    assertEquals("redis.on_failure", rejected(url("redis://a:1").put("on_failure", "retry")).key());
    assertEquals(
        "redis.key_prefix", rejected(url("redis://a:1").put("key_prefix", "a b{c}")).key());
    assertEquals(
        "redis.reservation_lease_ms",
        rejected(url("redis://a:1").put("reservation_lease_ms", 10)).key());
    assertEquals("redis.tls_ca", rejected(url("redis://a:1").put("tls_ca", "pom.xml")).key());
    assertEquals("redis.timeout", rejected(url("redis://a:1").put("timeout", 5)).key());
    ConfigException unset =
        rejected(url("redis://a:1").put("password_env", "TANDEM_TEST_SURELY_UNSET_VARIABLE"));
    assertEquals("redis.password_env", unset.key());
    assertTrue(unset.getMessage().contains("is not set"), unset.getMessage());
  }

  @Test
  void redisIsRestartOnly() {
    TandemConfig without = load(new JsonObject());
    TandemConfig with = load(redis(url("redis://a:6379")));
    assertEquals(List.of("redis"), RestartKeys.changed(without, with));
    assertEquals(List.of(), RestartKeys.changed(with, load(redis(url("redis://a:6379")))));
  }
}
