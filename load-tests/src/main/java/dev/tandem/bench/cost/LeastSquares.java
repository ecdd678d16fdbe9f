package dev.tandem.bench.cost;

/** Ridge-regularised least squares with an intercept, by the normal equations. Stateless. */
final class LeastSquares {

  private LeastSquares() {}

  /**
   * Weights {@code [bias, w_1..w_d]} minimising Σ (y − bias − w·x)² + λ|w|² over standardised
   * columns, returned on the original scale.
   *
   * @param x rows of d features
   * @param y targets
   */
  static double[] fit(double[][] x, double[] y, double lambda) {
    int n = x.length;
    int d = x[0].length;
    double[] mean = new double[d];
    double[] sd = new double[d];
    for (int j = 0; j < d; j++) {
      for (double[] row : x) {
        mean[j] += row[j] / n;
      }
      for (double[] row : x) {
        sd[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
      }
      sd[j] = Math.sqrt(sd[j]) + 1e-12;
    }
    double yMean = 0;
    for (double v : y) {
      yMean += v / n;
    }
    double[][] a = new double[d][d + 1]; // [X'X + λI | X'y] over standardised columns
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        double zj = (x[i][j] - mean[j]) / sd[j];
        for (int k = 0; k < d; k++) {
          a[j][k] += zj * (x[i][k] - mean[k]) / sd[k];
        }
        a[j][d] += zj * (y[i] - yMean);
      }
    }
    for (int j = 0; j < d; j++) {
      a[j][j] += lambda;
    }
    double[] z = solve(a);
    double[] w = new double[d + 1];
    w[0] = yMean;
    for (int j = 0; j < d; j++) {
      w[j + 1] = z[j] / sd[j];
      w[0] -= z[j] * mean[j] / sd[j];
    }
    return w;
  }

  static double predict(double[] w, double[] x) {
    double v = w[0];
    for (int j = 0; j < x.length; j++) {
      v += w[j + 1] * x[j];
    }
    return v;
  }

  /** Gaussian elimination with partial pivoting on an augmented [d, d + 1] matrix. */
  private static double[] solve(double[][] a) {
    int d = a.length;
    for (int c = 0; c < d; c++) {
      int pivot = c;
      for (int r = c + 1; r < d; r++) {
        if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
          pivot = r;
        }
      }
      double[] t = a[c];
      a[c] = a[pivot];
      a[pivot] = t;
      for (int r = 0; r < d; r++) {
        if (r != c) {
          double f = a[r][c] / a[c][c];
          for (int k = c; k <= d; k++) {
            a[r][k] -= f * a[c][k];
          }
        }
      }
    }
    double[] x = new double[d];
    for (int r = 0; r < d; r++) {
      x[r] = a[r][d] / a[r][r];
    }
    return x;
  }
}
