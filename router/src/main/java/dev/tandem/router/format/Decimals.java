package dev.tandem.router.format;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Fixed-point text for numbers in log lines and route reasons, as {@code String.format(Locale.ROOT,
 * "%.Nf", value)} writes them (the shortest decimal that reads back as the double, rounded half up
 * to N places; {@code NaN}, {@code Infinity}, a minus sign on negative values and on −0.0) without
 * the formatter's per-call parsing and its objects: a request formats a few such numbers on its
 * event loop (its route reason, its charge line, its request line). With two-step streams this
 * allocated about 2.5 KB less per request; the CPU per request was not told apart (BENCHMARKS.md).
 *
 * <p>Stateless; thread-safe.
 */
public final class Decimals {

  /** The most places {@link #append} writes (a nano-dollar is 9). */
  public static final int MAX_PLACES = 18;

  private Decimals() {}

  /**
   * Appends {@code value} with {@code places} digits after the point.
   *
   * @param places 0..{@value #MAX_PLACES}
   * @return {@code to}
   */
  public static StringBuilder append(StringBuilder to, double value, int places) {
    if (places < 0 || places > MAX_PLACES) {
      throw new IllegalArgumentException("places must be in 0.." + MAX_PLACES + ", got " + places);
    }
    if (Double.isNaN(value)) {
      return to.append("NaN");
    }
    boolean negative = value < 0 || Double.doubleToRawLongBits(value) == Long.MIN_VALUE;
    if (negative) {
      to.append('-');
    }
    double magnitude = Math.abs(value);
    if (Double.isInfinite(magnitude)) {
      return to.append("Infinity");
    }
    // BigDecimal.valueOf reads the shortest decimal that round-trips (Double.toString), which is
    // what the formatter rounds too.
    return to.append(
        BigDecimal.valueOf(magnitude).setScale(places, RoundingMode.HALF_UP).toPlainString());
  }
}
