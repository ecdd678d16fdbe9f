package dev.tandem.speccore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The weighted least-squares line against ordinary least squares on the same points, and the
 * weighted mean against a plain mean and its exponential weights.
 */
class WeightedLineTest {

  @Test
  void averagingFirstPointsGiveOrdinaryLeastSquares() {
    // Noisy points around y = 3 + 2x; with weights 1/n (a weight below 1/n never applies to the
    // first 20 points at 0.01) the line is the ordinary least-squares fit.
    double[] xs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 3, 5, 7, 9, 2, 4, 6, 8, 10};
    double[] ys = new double[xs.length];
    WeightedLine line = new WeightedLine();
    for (int i = 0; i < xs.length; i++) {
      ys[i] = 3 + 2 * xs[i] + ((i * 7919) % 11 - 5) * 0.1;
      line.addAveragingFirst(xs[i], ys[i], 0.01);
    }
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < xs.length; i++) {
      sx += xs[i];
      sy += ys[i];
      sxx += xs[i] * xs[i];
      sxy += xs[i] * ys[i];
    }
    int n = xs.length;
    double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    assertEquals(slope, line.slope(0.25, Double.NaN), 1e-9);
    assertEquals(sy / n - slope * sx / n, line.meanY() - line.slope(0.25, 0) * line.meanX(), 1e-9);
    assertEquals(n, line.points());
  }

  @Test
  void aFlatXGivesTheFallbackSlopeAndWeightOneReplaces() {
    WeightedLine line = new WeightedLine();
    for (int i = 0; i < 10; i++) {
      line.add(4, 100 + i, 0.5);
    }
    assertEquals(-7, line.slope(0.25, -7), "x never varied");
    line.add(2, 10, 1);
    assertEquals(2, line.meanX());
    assertEquals(10, line.meanY());
    var e = assertThrows(IllegalArgumentException.class, () -> line.add(1, 1, 0));
    assertEquals("weight must be in (0, 1], got 0.0", e.getMessage());
  }

  @Test
  void theMeanIsPlainForTheFirstValuesThenExponential() {
    WeightedMean mean = new WeightedMean(0.25);
    assertEquals(0, mean.mean(), "nothing added");
    for (double v : new double[] {4, 8, 12}) {
      mean.add(v); // weights 1, 1/2, 1/3: the plain mean
    }
    assertEquals(8, mean.mean(), 1e-12);
    mean.add(12); // weight 1/4
    mean.add(18); // weight 1/4 from here on, not 1/5
    assertEquals(9 + 0.25 * (18 - 9), mean.mean(), 1e-12);
    assertEquals(5, mean.count());
    var e = assertThrows(IllegalArgumentException.class, () -> new WeightedMean(1.5));
    assertEquals("weight must be in (0, 1], got 1.5", e.getMessage());
  }

  @Test
  void aValueMayCarryAWeightOfItsOwnButNoLessThanThePlainMeans() {
    WeightedMean mean = new WeightedMean(0.05);
    mean.add(10, 0.01); // the first value: weight 1
    mean.add(20, 0.01); // weight 1/2, not 0.01
    assertEquals(15, mean.mean(), 1e-12);
    for (int i = 0; i < 30; i++) {
      mean.add(15);
    }
    mean.add(25, 0.5);
    assertEquals(20, mean.mean(), 1e-12);
    var e = assertThrows(IllegalArgumentException.class, () -> mean.add(1, 0));
    assertEquals("weight must be in (0, 1], got 0.0", e.getMessage());
  }
}
