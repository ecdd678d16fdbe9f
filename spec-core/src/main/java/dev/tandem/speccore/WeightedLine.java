package dev.tandem.speccore;

/**
 * An exponentially weighted least-squares line {@code y = a + b·x}: each point moves the weighted
 * means of x, y, x² and x·y by its weight, and {@code b = cov(x, y) / var(x)}, {@code a = mean(y) −
 * b·mean(x)}. Used where a cost is fitted as a fixed part plus a part per unit (a verify call per
 * position, a step's overhead per draft token, a forward per row).
 *
 * <p>Threading: not thread-safe; its owner guards it.
 */
public final class WeightedLine {

  private long points;
  private double meanX;
  private double meanY;
  private double meanXx;
  private double meanXy;

  /**
   * Folds in one point.
   *
   * @param weight in (0, 1]: the point's share of the means (1 replaces them)
   */
  public void add(double x, double y, double weight) {
    if (!(weight > 0 && weight <= 1)) {
      throw new IllegalArgumentException("weight must be in (0, 1], got " + weight);
    }
    points++;
    meanX += weight * (x - meanX);
    meanY += weight * (y - meanY);
    meanXx += weight * (x * x - meanXx);
    meanXy += weight * (x * y - meanXy);
  }

  /**
   * Folds in one point with weight {@code max(weight, 1 / n)} for the n-th point: the first points
   * get a plain mean, later ones the exponential weight.
   */
  public void addAveragingFirst(double x, double y, double weight) {
    add(x, y, Math.max(weight, 1.0 / (points + 1)));
  }

  /** Points folded in so far. */
  public long points() {
    return points;
  }

  public double meanX() {
    return meanX;
  }

  public double meanY() {
    return meanY;
  }

  /**
   * The slope b, or {@code whileFlat} while x has barely varied ({@code var(x) < minVariance}),
   * when b cannot be told from a.
   */
  public double slope(double minVariance, double whileFlat) {
    double variance = meanXx - meanX * meanX;
    return variance >= minVariance ? (meanXy - meanX * meanY) / variance : whileFlat;
  }
}
