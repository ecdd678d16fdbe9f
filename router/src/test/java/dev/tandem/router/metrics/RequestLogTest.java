package dev.tandem.router.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import dev.tandem.router.api.GenerationRequest.SpeculationOverride;
import dev.tandem.router.engine.GenerationObserver;
import dev.tandem.router.engine.UnopenedTier;
import dev.tandem.speccore.SamplingParams;
import org.junit.jupiter.api.Test;

/** The request line says how each request sampled and what speculation it asked for. */
class RequestLogTest {

  @Test
  void theLineNamesTheSamplingAndTheSpeculationAskedFor() {
    assertNames(
        "sampling=greedy speculation=auto",
        SamplingParams.GREEDY,
        false,
        new SpeculationOverride(SpeculationMode.AUTO, 0, "auto"));
    assertNames(
        "sampling=seeded speculation=fixed:2",
        new SamplingParams(0.7f, 1f, 0, 42),
        true,
        new SpeculationOverride(SpeculationMode.FIXED, 2, "model"));
    assertNames(
        "sampling=random speculation=off",
        new SamplingParams(0.7f, 1f, 0, 0),
        false,
        new SpeculationOverride(SpeculationMode.OFF, 0, "none"));
  }

  private static void assertNames(
      String expected, SamplingParams sampling, boolean seeded, SpeculationOverride spec) {
    String line = line(sampling, seeded, spec);
    assertTrue(line.contains(" " + expected + " "), line);
  }

  private static String line(SamplingParams sampling, boolean seeded, SpeculationOverride spec) {
    return RequestLog.line(
        new GenerationObserver.Ended(
            "r1",
            UnopenedTier.request(sampling, spec, seeded),
            UnopenedTier.of(false),
            "model",
            null,
            new IllegalStateException("x"),
            -1,
            1_000_000));
  }
}
