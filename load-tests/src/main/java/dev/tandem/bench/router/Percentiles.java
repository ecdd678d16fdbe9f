package dev.tandem.bench.router;

import java.util.Arrays;
import java.util.Collection;

/** Nearest-rank percentiles of a sample. */
public final class Percentiles {

  private final double[] sorted;

  public Percentiles(Collection<Double> values) {
    sorted =
        values.stream().filter(v -> !v.isNaN()).mapToDouble(Double::doubleValue).sorted().toArray();
  }

  Percentiles(double[] values) {
    sorted = values.clone();
    Arrays.sort(sorted);
  }

  public double at(double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  public double mean() {
    return sorted.length == 0 ? Double.NaN : Arrays.stream(sorted).average().orElse(Double.NaN);
  }

  public int count() {
    return sorted.length;
  }
}
