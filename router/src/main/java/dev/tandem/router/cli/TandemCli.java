package dev.tandem.router.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tandem} command line: one entry point for the router, the verifier server and the
 * client. (The benchmarks are not in this jar: {@code ./tandem bench} runs load-tests' own.)
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
      QuantizeCommand.class
    })
public final class TandemCli implements Callable<Integer> {

  public static void main(String[] args) {
    configureLogging();
    System.exit(new CommandLine(new TandemCli()).execute(args));
  }

  /** One-line log records; third-party start-up chatter (DJL's GPU probe, ND4J) off. */
  public static void configureLogging() {
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
}
