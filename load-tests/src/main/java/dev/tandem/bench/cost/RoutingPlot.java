package dev.tandem.bench.cost;

import dev.tandem.bench.report.Charts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the routing curves as CSV and as a chart drawn with XChart (the report's {@link Charts}).
 * Stateless.
 */
final class RoutingPlot {

  private RoutingPlot() {}

  /**
   * The chart's file name in the output directory: {@code routing-quality-vs-cost.png} for the
   * default pair, {@code routing-tiny-large-quality-vs-cost.png} for another.
   */
  static String chart(TierPair pair) {
    return pair.stem() + "-quality-vs-cost.png";
  }

  static void write(
      TierPair pair, Path dir, List<String> labels, List<List<RoutingCurve.Point>> series)
      throws IOException {
    StringBuilder csv = new StringBuilder("router,cost_fraction_of_large,gap_recovered\n");
    Map<String, double[][]> curves = new LinkedHashMap<>();
    for (int s = 0; s < labels.size(); s++) {
      List<RoutingCurve.Point> points = series.get(s);
      double[][] xy = new double[2][points.size()];
      for (int i = 0; i < points.size(); i++) {
        RoutingCurve.Point p = points.get(i);
        csv.append(
            String.format(
                Locale.ROOT, "%s,%.5f,%.5f%n", labels.get(s), p.costFraction(), p.gapRecovered()));
        xy[0][i] = p.costFraction();
        xy[1][i] = p.gapRecovered();
      }
      curves.put(labels.get(s), xy);
    }
    Files.writeString(dir.resolve(pair.stem() + "-curves.csv"), csv);
    new Charts(dir)
        .lines(
            chart(pair),
            "Routing "
                + pair.small().name()
                + " vs "
                + pair.large().name()
                + ": quality recovered vs. cost (fraction of always-"
                + pair.large().name()
                + ")",
            "cost / always-" + pair.large().name(),
            "share of the quality gap recovered",
            curves);
  }
}
