package dev.tandem.router.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

/** {@link ConsoleLineFormatter} against {@link SimpleFormatter} with the same format. */
class ConsoleLineFormatterTest {

  private static final String KEY = "java.util.logging.SimpleFormatter.format";

  /** A SimpleFormatter reading {@code format} (it reads the setting when it is made). */
  private static SimpleFormatter simpleFormatter(String format) {
    String before = System.getProperty(KEY);
    System.setProperty(KEY, format);
    try {
      return new SimpleFormatter();
    } finally {
      if (before == null) {
        System.clearProperty(KEY);
      } else {
        System.setProperty(KEY, before);
      }
    }
  }

  private static List<LogRecord> records() {
    List<LogRecord> records = new ArrayList<>();
    Level[] levels = {Level.SEVERE, Level.WARNING, Level.INFO, Level.FINE, Level.ALL};
    Instant[] times = {
      Instant.parse("2026-12-05T00:00:00Z"),
      Instant.parse("2026-12-05T09:05:07.123Z"),
      Instant.parse("2026-12-05T23:59:59.999Z")
    };
    for (int i = 0; i < 15; i++) {
      LogRecord r = new LogRecord(levels[i % levels.length], "charge id={0} cost_usd={1}");
      r.setParameters(new Object[] {"r-" + i, 0.000424});
      r.setLoggerName(i == 3 ? null : "dev.tandem.requests");
      r.setInstant(times[i % times.length]);
      if (i % 4 == 1) {
        r.setThrown(new IllegalStateException("broken " + i));
      }
      records.add(r);
    }
    LogRecord plain = new LogRecord(Level.INFO, "no parameters: {0} stays");
    plain.setLoggerName("dev.tandem.router");
    records.add(plain);
    return records;
  }

  @Test
  void theShippedFormatWritesWhatSimpleFormatterWrites() {
    SimpleFormatter reference = simpleFormatter(ConsoleLineFormatter.SHIPPED);
    ConsoleLineFormatter lines =
        new ConsoleLineFormatter(ConsoleLineFormatter.SHIPPED, ZoneId.systemDefault(), null);
    for (LogRecord r : records()) {
      assertEquals(reference.format(r), lines.format(r), r.getMessage());
    }
  }

  @Test
  void anyOtherFormatIsSimpleFormattersOwn() {
    String withSource = "%4$s %2$s: %5$s%n";
    SimpleFormatter reference = simpleFormatter(withSource);
    ConsoleLineFormatter lines =
        new ConsoleLineFormatter(withSource, ZoneId.systemDefault(), simpleFormatter(withSource));
    for (LogRecord r : records()) {
      assertEquals(reference.format(r), lines.format(r), r.getMessage());
    }
  }

  @Test
  void theShippedLoggingSettingsUseTheFormatWrittenByHand() throws Exception {
    java.util.Properties shipped = new java.util.Properties();
    try (var in = getClass().getResourceAsStream("/tandem-logging.properties")) {
      shipped.load(in);
    }
    assertEquals(ConsoleLineFormatter.SHIPPED, shipped.getProperty(KEY));
  }
}
