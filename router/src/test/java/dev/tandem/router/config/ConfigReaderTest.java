package dev.tandem.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.config.TandemConfig.DrafterKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config reader: typed values from the embedded default, and every bad value named. */
class ConfigReaderTest extends ConfigFixture {

  static ConfigException rejected(JsonObject overrides) {
    return assertThrows(ConfigException.class, () -> load(overrides));
  }

  @Test
  void embeddedDefaultReadsIntoTypes() {
    TandemConfig config = load(new JsonObject());
    assertEquals(8080, config.server().port());
    assertEquals(TandemConfig.SpeculationMode.AUTO, config.speculation().mode());
    assertEquals(DrafterKind.MODEL, config.drafting().defaultDrafter());
    TandemConfig.Tier large = config.tier("large").orElseThrow();
    TandemConfig.InProcess backend =
        assertInstanceOf(TandemConfig.InProcess.class, large.backend());
    assertEquals(HOME.resolve("fixtures/models/tandem-verifier"), backend.model());
    assertEquals(List.of(DrafterKind.MODEL, DrafterKind.NGRAM, DrafterKind.NONE), large.drafters());
    assertTrue(config.tls().isEmpty());
  }

  @Test
  void connectionLimitsReadWithTheirRangesAndNeedARestart() {
    TandemConfig defaults = load(new JsonObject());
    assertEquals(TandemConfig.Connections.DEFAULTS, defaults.server().connections());
    TandemConfig tight =
        load(
            new JsonObject()
                .put(
                    "server",
                    new JsonObject()
                        .put("max_header_bytes", 4096)
                        .put("header_timeout_ms", 0)
                        .put("max_connections", 8)
                        .put("http2_reset_window_s", 5)));
    TandemConfig.Connections c = tight.server().connections();
    assertEquals(4096, c.maxHeaderBytes());
    assertEquals(java.time.Duration.ZERO, c.headerTimeout());
    assertEquals(8, c.maxConnections());
    assertEquals(java.time.Duration.ofSeconds(5), c.http2ResetWindow());
    assertEquals(
        List.of(
            "server.max_header_bytes",
            "server.header_timeout_ms",
            "server.max_connections",
            "server.http2_reset_window_s"),
        RestartKeys.changed(defaults, tight));
    ConfigException e =
        rejected(new JsonObject().put("server", new JsonObject().put("max_connections", 0)));
    assertEquals("server.max_connections must be an integer in 1..16777216, got 0", e.getMessage());
    ConfigException header =
        rejected(new JsonObject().put("server", new JsonObject().put("max_header_bytes", 100)));
    assertEquals("server.max_header_bytes", header.key());
  }

  @Test
  void cleartextHttp2IsOnByDefaultAndTurningItOffNeedsARestart() {
    TandemConfig defaults = load(new JsonObject());
    assertTrue(defaults.server().h2c());
    TandemConfig off = load(new JsonObject().put("server", new JsonObject().put("h2c", false)));
    assertEquals(false, off.server().h2c());
    assertEquals(List.of("server.h2c"), RestartKeys.changed(defaults, off));
    ConfigException e = rejected(new JsonObject().put("server", new JsonObject().put("h2c", "no")));
    assertEquals("server.h2c", e.key());
  }

  @Test
  void theTransportIsAutoByDefaultNamedInAnyCaseAndChangingItNeedsARestart() {
    TandemConfig defaults = load(new JsonObject());
    assertEquals(TandemConfig.NetTransport.AUTO, defaults.server().transport());
    TandemConfig nio =
        load(new JsonObject().put("server", new JsonObject().put("transport", "NIO")));
    assertEquals(TandemConfig.NetTransport.NIO, nio.server().transport());
    assertEquals(List.of("server.transport"), RestartKeys.changed(defaults, nio));
    ConfigException e =
        rejected(new JsonObject().put("server", new JsonObject().put("transport", "io_uring")));
    assertEquals("server.transport", e.key());
    assertEquals(
        "server.transport must be one of auto | epoll | nio, got 'io_uring'", e.getMessage());
  }

  @Test
  void unknownKeyIsAnErrorWithTheNearestKnownKey() {
    ConfigException e =
        rejected(new JsonObject().put("limits", new JsonObject().put("max_token", 5)));
    assertEquals("limits.max_token", e.key());
    assertTrue(e.getMessage().contains("did you mean 'max_tokens'"), e.getMessage());
    ConfigException top = rejected(new JsonObject().put("speculaton", new JsonObject()));
    assertTrue(top.getMessage().contains("did you mean 'speculation'"), top.getMessage());
  }

  @Test
  void outOfRangeValuesAreNamedWithTheirRangeNotClamped() {
    ConfigException port =
        rejected(new JsonObject().put("server", new JsonObject().put("port", 70000)));
    assertEquals("server.port must be an integer in 0..65535, got 70000", port.getMessage());
    ConfigException ngram =
        rejected(
            new JsonObject()
                .put("drafting", new JsonObject().put("ngram_min", 4).put("ngram_max", 2)));
    assertEquals("drafting.ngram_min", ngram.key());
    assertTrue(ngram.getMessage().contains("<= drafting.ngram_max (2), got 4"), ngram.getMessage());
    ConfigException mode =
        rejected(new JsonObject().put("speculation", new JsonObject().put("mode", "fast")));
    assertEquals(
        "speculation.mode must be one of auto | fixed | off, got 'fast'", mode.getMessage());
  }

  @Test
  void modelDrafterWithoutADraftModelIsAnErrorNotAFallback() {
    ConfigException e =
        rejected(new JsonObject().put("drafting", new JsonObject().putNull("model")));
    assertEquals("drafting.default", e.key());
  }

  @Test
  void variantsTakeOnlyTheirOwnKeys() {
    ConfigException e =
        rejected(
            tier(
                new JsonObject()
                    .put("verifier", "in-process")
                    .put("model", "fixtures/models/tandem-verifier")
                    .put("endpoints", new JsonArray().add("a:1"))));
    assertEquals("tiers[0].endpoints", e.key());
  }

  @Test
  void endpointsMustParse() {
    ConfigException e =
        rejected(
            tier(
                new JsonObject()
                    .put("verifier", "grpc")
                    .put("model", "fixtures/models/tandem-verifier")
                    .put("endpoints", new JsonArray().add("gpu-1:50061").add("gpu-2"))));
    assertEquals("tiers[0].endpoints[1]", e.key());
    assertTrue(e.getMessage().contains("host:port with a port in 1..65535, got 'gpu-2'"));
    TandemConfig ok =
        load(
            tier(new JsonObject()
                    .put("verifier", "grpc")
                    .put("model", "fixtures/models/tandem-verifier")
                    .put("endpoints", new JsonArray().add("gpu-1:50061")))
                .put("default_tier", "t"));
    TandemConfig.Grpc grpc = assertInstanceOf(TandemConfig.Grpc.class, ok.tiers().get(0).backend());
    assertEquals(List.of(new TandemConfig.Endpoint("gpu-1", 50061)), grpc.endpoints());
  }

  @Test
  void failoverKeysOfAGrpcTierAreReadAndCheckedWithTheirRange() {
    JsonObject grpc =
        new JsonObject()
            .put("verifier", "grpc")
            .put("model", "fixtures/models/tandem-verifier")
            .put("endpoints", new JsonArray().add("gpu-1:50061"));
    TandemConfig.Grpc defaults =
        assertInstanceOf(
            TandemConfig.Grpc.class,
            load(tier(grpc.copy()).put("default_tier", "t")).tiers().get(0).backend());
    assertEquals(java.time.Duration.ofSeconds(30), defaults.callTimeout());
    assertEquals(2, defaults.maxFailovers());
    assertEquals(
        new TandemConfig.CircuitBreaker(3, java.time.Duration.ofSeconds(10)),
        defaults.circuitBreaker());

    TandemConfig.Grpc set =
        assertInstanceOf(
            TandemConfig.Grpc.class,
            load(tier(grpc.copy()
                        .put("call_timeout_ms", 500)
                        .put("max_failovers", 0)
                        .put(
                            "circuit_breaker",
                            new JsonObject().put("failures", 5).put("open_ms", 250)))
                    .put("default_tier", "t"))
                .tiers()
                .get(0)
                .backend());
    assertEquals(java.time.Duration.ofMillis(500), set.callTimeout());
    assertEquals(0, set.maxFailovers());
    assertEquals(
        new TandemConfig.CircuitBreaker(5, java.time.Duration.ofMillis(250)), set.circuitBreaker());

    JsonObject effective =
        ConfigJson.of(load(tier(grpc.copy().put("call_timeout_ms", 500)).put("default_tier", "t")))
            .getJsonArray("tiers")
            .getJsonObject(0)
            .getJsonObject("backend");
    assertEquals(500L, effective.getLong("call_timeout_ms"), effective.encode());
    assertEquals(10_000L, effective.getJsonObject("circuit_breaker").getLong("open_ms"));

    ConfigException failovers = rejected(tier(grpc.copy().put("max_failovers", 17)));
    assertEquals(
        "tiers[0].max_failovers must be an integer in 0..16, got 17", failovers.getMessage());
    ConfigException breaker =
        rejected(tier(grpc.copy().put("circuit_breaker", new JsonObject().put("failures", 0))));
    assertEquals("tiers[0].circuit_breaker.failures", breaker.key());
    ConfigException unknown =
        rejected(tier(grpc.copy().put("circuit_breaker", new JsonObject().put("open", 5))));
    assertEquals("tiers[0].circuit_breaker.open", unknown.key());
  }

  @Test
  void theDraftTimeoutIsReadAndRangeChecked() {
    assertEquals(
        java.time.Duration.ofMillis(5000), load(new JsonObject()).speculation().draftTimeout());
    assertEquals(
        java.time.Duration.ofMillis(250),
        load(new JsonObject().put("speculation", new JsonObject().put("draft_timeout_ms", 250)))
            .speculation()
            .draftTimeout());
    ConfigException e =
        rejected(new JsonObject().put("speculation", new JsonObject().put("draft_timeout_ms", 0)));
    assertEquals(
        "speculation.draft_timeout_ms must be an integer in 1..600000, got 0", e.getMessage());
  }

  @Test
  void openAiFallbackBaseUrlsMustBeHttp() {
    JsonObject openai = new JsonObject().put("base_url", "http://gpu-3:8000").put("model", "m");
    JsonObject fields =
        new JsonObject().put("verifier", "openai").put("model", "fixtures/models/tandem-verifier");
    TandemConfig.OpenAi ok =
        assertInstanceOf(
            TandemConfig.OpenAi.class,
            load(tier(fields
                        .copy()
                        .put(
                            "openai",
                            openai
                                .copy()
                                .put(
                                    "fallback_base_urls",
                                    new JsonArray().add("http://gpu-4:8000"))))
                    .put("default_tier", "t"))
                .tiers()
                .get(0)
                .backend());
    assertEquals(List.of(java.net.URI.create("http://gpu-4:8000")), ok.fallbackBaseUrls());
    ConfigException e =
        rejected(
            tier(
                fields
                    .copy()
                    .put(
                        "openai",
                        openai
                            .copy()
                            .put("fallback_base_urls", new JsonArray().add("gpu-4:8000")))));
    assertEquals("tiers[0].openai.fallback_base_urls", e.key());
    assertEquals(
        new TandemConfig.CircuitBreaker(3, java.time.Duration.ofSeconds(10)), ok.circuitBreaker());
    TandemConfig.OpenAi breaker =
        assertInstanceOf(
            TandemConfig.OpenAi.class,
            load(tier(fields
                        .copy()
                        .put(
                            "openai",
                            openai
                                .copy()
                                .put(
                                    "circuit_breaker",
                                    new JsonObject().put("failures", 5).put("open_ms", 2000))))
                    .put("default_tier", "t"))
                .tiers()
                .get(0)
                .backend());
    assertEquals(
        new TandemConfig.CircuitBreaker(5, java.time.Duration.ofMillis(2000)),
        breaker.circuitBreaker());
    ConfigException bad =
        rejected(
            tier(
                fields
                    .copy()
                    .put(
                        "openai",
                        openai
                            .copy()
                            .put("circuit_breaker", new JsonObject().put("failures", 0)))));
    assertEquals(
        "tiers[0].openai.circuit_breaker.failures must be an integer in 1..1000, got 0",
        bad.getMessage());
  }

  @Test
  void missingModelDirectoryIsNamed() {
    ConfigException e =
        rejected(
            tier(new JsonObject().put("verifier", "in-process").put("model", "fixtures/nope")));
    assertEquals("tiers[0].model", e.key());
  }

  @Test
  void defaultDrafterMustBeAllowedOnItsTier() {
    ConfigException e =
        rejected(
            tier(new JsonObject()
                    .put("verifier", "in-process")
                    .put("model", "fixtures/models/tandem-verifier")
                    .put("drafters", new JsonArray().add("ngram")))
                .put("default_tier", "t"));
    assertEquals("tiers[0].default_drafter", e.key());
  }

  @Test
  void openAiBaseUrlMustBeHttp() {
    ConfigException e =
        rejected(
            tier(
                new JsonObject()
                    .put("verifier", "openai")
                    .put("model", "fixtures/models/tandem-verifier")
                    .put(
                        "openai", new JsonObject().put("base_url", "gpu:8000").put("model", "m"))));
    assertEquals("tiers[0].openai.base_url", e.key());
  }

  @Test
  void adminClientCertificatesNeedAClientCa(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("c.pem"), "x");
    ConfigException e =
        rejected(
            new JsonObject()
                .put("admin", new JsonObject().put("require_client_cert", true))
                .put(
                    "tls",
                    new JsonObject()
                        .put("cert", dir.resolve("c.pem").toString())
                        .put("key", dir.resolve("c.pem").toString())));
    assertEquals("admin.require_client_cert", e.key());
  }

  @Test
  void effectiveConfigJsonUsesConfigKeys() {
    JsonObject json = ConfigJson.of(load(new JsonObject()));
    assertEquals(8, json.getJsonObject("speculation").getInteger("k_max"));
    assertEquals(
        "in-process",
        json.getJsonArray("tiers").getJsonObject(0).getJsonObject("backend").getString("verifier"));
    assertEquals("model", json.getJsonObject("drafting").getString("default_drafter"));
    assertEquals(500, json.getJsonObject("reload").getInteger("scan_period_ms"));
  }

  @Test
  void didYouMeanPicksTheClosestKey() {
    assertEquals(
        Optional.of("max_tokens"),
        KeySuggestions.nearest("max_tokns", List.of("max_tokens", "tiers")));
    assertEquals(Optional.empty(), KeySuggestions.nearest("zzzzzz", List.of("max_tokens")));
  }
}
