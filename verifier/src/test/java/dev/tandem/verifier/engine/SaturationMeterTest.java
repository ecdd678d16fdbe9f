package dev.tandem.verifier.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The busy share is a time average: stretches of saturation count by their length. */
class SaturationMeterTest {

  static final long S = 1_000_000_000L;

  @Test
  void theShareMovesTowardBusyByTheLengthOfEachStretch() {
    SaturationMeter meter = new SaturationMeter(Duration.ofSeconds(1), 0);
    assertEquals(0, meter.share(5 * S), "idle since creation");
    meter.set(true, 5 * S);
    assertEquals(1 - Math.exp(-1), meter.share(6 * S), 1e-12, "busy for one time constant");
    meter.set(false, 6 * S);
    double afterBusy = 1 - Math.exp(-1);
    assertEquals(afterBusy * Math.exp(-2), meter.share(8 * S), 1e-12, "then idle for two");
  }

  @Test
  void shortBusyStretchesBetweenLongIdleOnesStayLow() {
    // 8 sessions' requests arrive together every 28 ms (a 25 ms round trip) and keep the model busy
    // 3 ms: every request but the first queues, yet the model is busy about a ninth of the time.
    SaturationMeter meter = new SaturationMeter(Duration.ofSeconds(1), 0);
    long t = 0;
    for (int cycle = 0; cycle < 500; cycle++) {
      meter.set(true, t);
      t += 3_000_000;
      meter.set(false, t);
      t += 25_000_000;
    }
    assertEquals(3.0 / 28, meter.share(t), 0.02);
  }

  @Test
  void readingTwiceAtTheSameTimeChangesNothingAndTauMustBePositive() {
    SaturationMeter meter = new SaturationMeter(Duration.ofMillis(100), 0);
    meter.set(true, 0);
    double once = meter.share(S / 10);
    assertEquals(once, meter.share(S / 10));
    assertEquals(once, meter.share(S / 20), "a reading from before the last one adds nothing");
    var e =
        assertThrows(IllegalArgumentException.class, () -> new SaturationMeter(Duration.ZERO, 0));
    assertEquals("tau must be > 0, got PT0S", e.getMessage());
  }
}
