package dev.tandem.router.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tandem} command line: one entry point for the router, the verifier server, the client
 * and the benchmarks. Subcommands that are not built yet say so and exit with status 2.
 */
@Command(
    name = "tandem",
    mixinStandardHelpOptions = true,
    version = "tandem 0.1.0-SNAPSHOT",
    description = "Speculative-decoding gRPC router for LLM inference.",
    subcommands = {
      ServeCommand.class,
      GenerateCommand.class,
      VerifierServerCommand.class,
      TandemCli.Bench.class
    })
public final class TandemCli implements Callable<Integer> {

  /** Exit status of a subcommand whose implementation has not landed yet. */
  static final int NOT_BUILT = 2;

  public static void main(String[] args) {
    configureLogging();
    System.exit(new CommandLine(new TandemCli()).execute(args));
  }

  /** One-line log records; third-party start-up chatter (DJL's GPU probe, ND4J) off. */
  static void configureLogging() {
    if (System.getProperty("java.util.logging.config.file") != null) {
      return;
    }
    try (var in = TandemCli.class.getResourceAsStream("/tandem-logging.properties")) {
      if (in != null) {
        java.util.logging.LogManager.getLogManager().readConfiguration(in);
      }
    } catch (java.io.IOException e) {
      System.err.println("tandem: could not read logging configuration: " + e.getMessage());
    }
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  /** Base for subcommands that exist in the CLI but whose module is not implemented yet. */
  abstract static class NotBuiltYet implements Callable<Integer> {
    private final String what;

    NotBuiltYet(String what) {
      this.what = what;
    }

    @Override
    public Integer call() {
      System.err.println("tandem: '" + what + "' is not built yet in this version.");
      return NOT_BUILT;
    }
  }

  @Command(name = "bench", description = "Run the benchmarks (not built yet).")
  static final class Bench extends NotBuiltYet {
    Bench() {
      super("bench");
    }
  }
}
