package dev.tandem.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.config.TandemConfig.WeightQuantization;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** {@code quantize:} on the draft model and on in-process tiers, and where it does not apply. */
class QuantizeConfigTest extends ConfigFixture {

  @Test
  void quantizeIsNoneUnlessSetAndReadPerModel() {
    TandemConfig plain = load(new JsonObject());
    assertEquals(WeightQuantization.NONE, plain.drafting().quantize());
    TandemConfig.InProcess large =
        assertInstanceOf(TandemConfig.InProcess.class, plain.tier("large").orElseThrow().backend());
    assertEquals(WeightQuantization.NONE, large.quantize());

    TandemConfig set =
        load(
            tier(new JsonObject()
                    .put("verifier", "in-process")
                    .put("model", "fixtures/models/tandem-verifier")
                    .put("quantize", "q8_0"))
                .put("default_tier", "t")
                .put("drafting", new JsonObject().put("quantize", "q4")));
    assertEquals(WeightQuantization.Q4, set.drafting().quantize());
    assertEquals(
        WeightQuantization.Q8_0,
        ((TandemConfig.InProcess) set.tier("t").orElseThrow().backend()).quantize());
  }

  @Test
  void anUnknownFormatIsNamedWithTheAllowedOnes() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> load(new JsonObject().put("drafting", new JsonObject().put("quantize", "q5"))));
    assertEquals("drafting.quantize", e.key());
    assertEquals("drafting.quantize must be one of none | q8_0 | q4, got 'q5'", e.getMessage());
  }

  @Test
  void quantizeOnARemoteVerifierIsAnErrorThatSaysWhere() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    tier(new JsonObject()
                            .put("verifier", "grpc")
                            .put("model", "fixtures/models/tandem-verifier")
                            .put("endpoints", new JsonArray().add("127.0.0.1:50061"))
                            .put("quantize", "q8_0"))
                        .put("default_tier", "t")));
    assertEquals("tiers[0].quantize", e.key());
    assertTrue(e.getMessage().contains("in-process only"), e.getMessage());
  }

  @Test
  void quantizingADraftModelThatIsNotThereIsAnError() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    new JsonObject()
                        .put(
                            "drafting",
                            new JsonObject()
                                .putNull("model")
                                .put("default", "ngram")
                                .put("quantize", "q8_0"))
                        .put(
                            "tiers",
                            new JsonArray()
                                .add(
                                    new JsonObject()
                                        .put("name", "large")
                                        .put("verifier", "in-process")
                                        .put("model", "fixtures/models/tandem-verifier")
                                        .put("drafters", new JsonArray().add("ngram"))
                                        .put("price_per_1k_tokens_usd", 0.002)))));
    assertEquals("drafting.quantize", e.key());
  }
}
