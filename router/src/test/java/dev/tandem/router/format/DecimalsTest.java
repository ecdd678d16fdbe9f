package dev.tandem.router.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Decimals} against {@link String#format}, the reference it stands in for. */
class DecimalsTest {

  private static String format(double value, int places) {
    return Decimals.append(new StringBuilder(), value, places).toString();
  }

  private static void assertAsFormat(double value, int places) {
    assertEquals(
        String.format(Locale.ROOT, "%." + places + "f", value),
        format(value, places),
        () -> "value " + value + " (bits " + Double.doubleToRawLongBits(value) + "), " + places);
  }

  @Test
  void writesWhatStringFormatWritesForEdgeValues() {
    double[] values = {
      0.0,
      -0.0,
      1.0,
      -1.0,
      0.5,
      1.5,
      2.5,
      -2.5,
      0.125,
      0.0625,
      1.005,
      2.675,
      1.0005,
      0.0005,
      -0.0005,
      0.00049999999999999,
      9.9995,
      99.995,
      0.1,
      0.2,
      0.3,
      1e-9,
      4.2e-7,
      1e-20,
      123456789.125,
      1e15,
      9.999999999e9,
      1e22,
      1.7976931348623157e308,
      Double.MIN_VALUE,
      Double.MIN_NORMAL,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY
    };
    for (double v : values) {
      for (int places = 0; places <= Decimals.MAX_PLACES; places++) {
        assertAsFormat(v, places);
      }
    }
  }

  @Test
  void writesWhatStringFormatWritesForRandomValues() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      double v =
          switch (i % 4) {
            case 0 -> random.nextDouble(); // a share, a score
            case 1 -> random.nextDouble() * 1e-3; // a cost in USD
            case 2 -> random.nextDouble(-1e6, 1e6); // a duration, a count
            default -> Double.longBitsToDouble(random.nextLong()); // any double at all
          };
      assertAsFormat(v, random.nextInt(Decimals.MAX_PLACES + 1));
    }
  }

  @Test
  void tiesAtTheLastPlaceRoundHalfUpOnTheShortestDecimal() {
    // Rounded on the shortest decimal that reads back as the double, not on its binary value:
    // 1.005 is 1.00499999999999989... in binary, and both write 1.01.
    assertEquals("1.01", format(1.005, 2));
    assertEquals("0.001", format(0.0005, 3));
    assertEquals("-0.001", format(-0.0005, 3));
    assertEquals("-0.000", format(-0.0001, 3));
  }

  @Test
  void appendsToWhatIsThere() {
    StringBuilder line = new StringBuilder("cost_usd=");
    assertEquals("cost_usd=0.000424000", Decimals.append(line, 0.000424, 9).toString());
  }

  @Test
  void placesOutsideTheRangeAreRefusedWithTheRange() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> format(1, 19));
    assertEquals("places must be in 0..18, got 19", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> format(1, -1));
  }
}
