package dev.tandem.speccore;

/**
 * An exponentially weighted mean whose first values get a plain mean: the n-th value moves it by
 * {@code max(weight, 1 / n)}, so an early estimate is not dragged toward 0 by an initial value it
 * never saw.
 *
 * <p>Threading: not thread-safe; its owner guards it.
 */
public final class WeightedMean {

  private final double weight;
  private long count;
  private double mean;

  /**
   * @param weight in (0, 1], a value's weight once more than {@code 1 / weight} were added
   */
  public WeightedMean(double weight) {
    if (!(weight > 0 && weight <= 1)) {
      throw new IllegalArgumentException("weight must be in (0, 1], got " + weight);
    }
    this.weight = weight;
  }

  public void add(double value) {
    add(value, weight);
  }

  /**
   * Adds a value with its own weight in (0, 1] instead of the mean's (still at least {@code 1 / n}
   * for the n-th value).
   */
  public void add(double value, double valueWeight) {
    if (!(valueWeight > 0 && valueWeight <= 1)) {
      throw new IllegalArgumentException("weight must be in (0, 1], got " + valueWeight);
    }
    mean += Math.max(valueWeight, 1.0 / ++count) * (value - mean);
  }

  /** The mean, 0 before the first value. */
  public double mean() {
    return mean;
  }

  /** Values added so far. */
  public long count() {
    return count;
  }
}
