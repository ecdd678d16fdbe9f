package dev.tandem.bench.cost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Writes the routing curves as CSV and as a small self-contained SVG chart. Stateless. */
final class RoutingPlot {

  private static final String[] COLORS = {
    "#888888", "#000000", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2"
  };

  private RoutingPlot() {}

  static void write(
      Path dir, List<String> labels, List<List<RoutingCurve.Point>> series, double smallCost)
      throws IOException {
    StringBuilder csv = new StringBuilder("router,cost_fraction_of_large,gap_recovered\n");
    for (int s = 0; s < labels.size(); s++) {
      for (RoutingCurve.Point p : series.get(s)) {
        csv.append(
            String.format(
                Locale.ROOT, "%s,%.5f,%.5f%n", labels.get(s), p.costFraction(), p.gapRecovered()));
      }
    }
    Files.writeString(dir.resolve("routing-curves.csv"), csv);
    Files.writeString(dir.resolve("routing-quality-vs-cost.svg"), svg(labels, series, smallCost));
  }

  private static String svg(
      List<String> labels, List<List<RoutingCurve.Point>> series, double smallCost) {
    int w = 640;
    int h = 420;
    int left = 60;
    int top = 20;
    int pw = 400;
    int ph = 340;
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"11\">%n",
            w, h));
    b.append(
        String.format(
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n",
            left, top, pw, ph));
    double yMin = -0.5;
    double yMax = 1.5;
    for (double y = -0.5; y <= 1.5001; y += 0.25) {
      int py = top + (int) ((yMax - y) / (yMax - yMin) * ph);
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>%n",
              left,
              py,
              left + pw,
              py));
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.2f</text>%n",
              left - 4,
              py + 4,
              y));
    }
    for (double x = 0; x <= 1.0001; x += 0.1) {
      int px = left + (int) (x * pw);
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%.1f</text>%n",
              px,
              top + ph + 14,
              x));
    }
    int half = left + pw / 2;
    b.append(
        String.format(
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c00\" stroke-dasharray=\"4 3\"/>%n",
            half, top, half, top + ph));
    b.append(
        String.format(
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">cost / always-large cost</text>%n",
            left + pw / 2, top + ph + 30));
    b.append(
        String.format(
            "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">quality gap recovered (0 = small, 1 = large)</text>%n",
            top + ph / 2, top + ph / 2));
    for (int s = 0; s < series.size(); s++) {
      StringBuilder pts = new StringBuilder();
      for (RoutingCurve.Point p : series.get(s)) {
        double y = Math.max(yMin, Math.min(yMax, p.gapRecovered()));
        pts.append(
            String.format(
                Locale.ROOT,
                "%.1f,%.1f ",
                left + p.costFraction() * pw,
                top + (yMax - y) / (yMax - yMin) * ph));
      }
      String color = COLORS[s % COLORS.length];
      b.append(
          String.format(
              "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>%n",
              color, pts.toString().trim()));
      b.append(
          String.format(
              "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n",
              left + pw + 10, top + 14 + 16 * s, color, labels.get(s)));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" fill=\"#666\">small tier alone = %.2f</text>%n",
            left + pw + 10,
            top + 14 + 16 * series.size(),
            smallCost));
    return b.append("</svg>\n").toString();
  }
}
