package dev.tandem.router.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.logging.Formatter;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * The console's line format, {@code tandem-logging.properties}' {@code
 * java.util.logging.SimpleFormatter.format} ({@value #SHIPPED}: time, level, logger, message, stack
 * trace), written by hand: the same text as {@link SimpleFormatter} writes for it, without {@link
 * String#format} per record and without the caller lookup that {@link SimpleFormatter} does for its
 * source argument (a stack walk of the log writer's own thread, which never finds the caller
 * there). The router writes two lines per request. Any other format is {@link SimpleFormatter}'s.
 *
 * <p>Threading: as {@link Formatter}; stateless apart from the fallback.
 */
final class ConsoleLineFormatter extends Formatter {

  /** The format {@code tandem-logging.properties} ships. */
  static final String SHIPPED = "%1$tH:%1$tM:%1$tS %4$s %3$s: %5$s%6$s%n";

  private final boolean shipped;
  private final ZoneId zone;
  private final Formatter fallback;

  /**
   * @param format the configured {@code java.util.logging.SimpleFormatter.format}
   * @param fallback what formats records when {@code format} is not {@link #SHIPPED} (a {@link
   *     SimpleFormatter}, which reads the same setting)
   */
  ConsoleLineFormatter(String format, ZoneId zone, Formatter fallback) {
    this.shipped = SHIPPED.equals(format);
    this.zone = zone;
    this.fallback = fallback;
  }

  /**
   * For the configured format ({@code java.util.logging.SimpleFormatter.format}: the system
   * property, else the log manager's, as {@link SimpleFormatter} reads it) in this JVM's zone.
   */
  static ConsoleLineFormatter configured(Formatter fallback) {
    String key = "java.util.logging.SimpleFormatter.format";
    String format = System.getProperty(key);
    if (format == null) {
      format = LogManager.getLogManager().getProperty(key);
    }
    return new ConsoleLineFormatter(format, ZoneId.systemDefault(), fallback);
  }

  @Override
  public String format(LogRecord record) {
    if (!shipped) {
      return fallback.format(record);
    }
    LocalTime time = LocalTime.ofInstant(record.getInstant(), zone);
    StringBuilder line = new StringBuilder(160);
    twoDigits(line, time.getHour()).append(':');
    twoDigits(line, time.getMinute()).append(':');
    twoDigits(line, time.getSecond())
        .append(' ')
        .append(record.getLevel().getLocalizedName())
        .append(' ')
        .append(record.getLoggerName())
        .append(": ")
        .append(formatMessage(record));
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      try (PrintWriter out = new PrintWriter(trace)) {
        out.println();
        record.getThrown().printStackTrace(out);
      }
      line.append(trace);
    }
    return line.append(System.lineSeparator()).toString();
  }

  private static StringBuilder twoDigits(StringBuilder to, int value) {
    return to.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
  }
}
