package dev.tandem.router.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * Runs the {@code tandem} CLI in this JVM with its output captured, for tests of a command's
 * answers. Not thread-safe: it swaps {@link System#out} and {@link System#err} while it runs.
 */
record CliRun(String stdout, String stderr) {

  /** Runs {@code args} and checks the exit code (the message is what the command wrote). */
  static CliRun run(int expectedExit, String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = new CommandLine(new TandemCli()).execute(args);
      assertEquals(expectedExit, code, e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new CliRun(o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }
}
