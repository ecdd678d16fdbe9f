package dev.tandem.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {

  @Test
  void aPassThroughBenchTakesHelpInsteadOfReadingItAsAnArgument() {
    StringWriter out = new StringWriter();
    CommandLine cli = BenchCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));

    assertEquals(0, cli.execute("model", "--help"));
    assertTrue(out.toString().contains("Model runtime decode speed"), out.toString());
  }

  @Test
  void aMissingModelDirectoryIsNamedWithoutAStackTrace(@TempDir Path dir) {
    StringWriter err = new StringWriter();
    CommandLine cli = BenchCommand.commandLine();
    cli.setErr(new PrintWriter(err, true));
    Path missing = dir.resolve("no-such-model");

    assertEquals(2, cli.execute("model", missing.toString(), "--backends", "vector"));
    assertTrue(
        err.toString().startsWith("tandem bench model: " + missing.resolve("config.json")),
        err.toString());
    assertFalse(err.toString().contains("\tat "), err.toString());
  }
}
