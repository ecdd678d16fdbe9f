package dev.tandem.bench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The report's charts, drawn with XChart and written as PNG images (headless: no display needed).
 *
 * <p>Threading: call from one thread.
 */
public final class Charts {

  private static final int WIDTH = 800;
  private static final int HEIGHT = 480;

  private final Path dir;

  public Charts(Path dir) {
    System.setProperty("java.awt.headless", "true");
    this.dir = dir;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the chart directory " + dir, e);
    }
  }

  /**
   * A line chart, one line per series over the same x values.
   *
   * @return the image's file name
   */
  public String lines(
      String file, String title, String xTitle, String yTitle, Map<String, double[][]> series) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    series.forEach((name, xy) -> chart.addSeries(name, xy[0], xy[1]));
    return save(file, chart);
  }

  /**
   * A grouped bar chart: one bar per category in each series.
   *
   * @return the image's file name
   */
  public String bars(
      String file,
      String title,
      String xTitle,
      String yTitle,
      List<String> categories,
      Map<String, List<Double>> series) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    series.forEach((name, values) -> chart.addSeries(name, categories, values));
    return save(file, chart);
  }

  private String save(String file, org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) {
    try {
      BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write chart " + file, e);
    }
    return file.endsWith(".png") ? file : file + ".png";
  }
}
