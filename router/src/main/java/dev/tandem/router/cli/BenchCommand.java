package dev.tandem.router.cli;

import dev.tandem.router.bench.BenchSuites;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem bench}: the benchmarks whose numbers go into BENCHMARKS.md. */
@Command(
    name = "bench",
    description = {
      "Benchmarks, printed as markdown tables:",
      "  real      speculative vs. plain decoding, everything in-process on this CPU",
      "  remote    the same through a verifier server that adds --delay-ms per call (a network hop)",
      "  overhead  router cost over a zero-compute synthetic backend at many concurrent streams"
    })
final class BenchCommand implements Callable<Integer> {

  @Option(
      names = "--config",
      description = "Config file merged over the embedded default (models, runtime)")
  java.nio.file.Path config;

  @Option(
      names = "--suite",
      split = ",",
      description = "real, remote, overhead (default: all three)")
  List<String> suites = List.of("real", "remote", "overhead");

  @Option(
      names = "--workloads",
      split = ",",
      description = "Workload names under fixtures/workloads (default code,prose,repetitive,chat)")
  List<String> workloads = List.of("code", "prose", "repetitive", "chat");

  @Option(names = "--requests", description = "Requests per workload and variant (default 6)")
  int requests = 6;

  @Option(names = "--delay-ms", description = "Per-call delay of the remote verifier (default 25)")
  long delayMs = 25;

  @Option(
      names = "--streams",
      split = ",",
      description = "Concurrent streams for the overhead suite (default 500,1000,2000,3000)")
  List<Integer> streams = List.of(500, 1000, 2000, 3000);

  @Option(names = "--steps", description = "Steps per stream in the overhead suite (default 100)")
  int steps = 100;

  @Option(
      names = "--pace-ms",
      description = "Synthetic verifier pace in the overhead suite (default 20)")
  double paceMs = 20;

  @Override
  public Integer call() throws Exception {
    BenchSuites bench =
        new BenchSuites(
            TandemHome.path(), config, System.out, line -> System.err.println("tandem: " + line));
    for (String suite : suites) {
      switch (suite) {
        case "real" -> bench.real(workloads, requests);
        case "remote" -> bench.remote(workloads, requests, delayMs);
        case "overhead" -> bench.overhead(streams, steps, paceMs);
        default -> {
          System.err.println(
              "tandem bench: --suite must be real, remote or overhead, got " + suite);
          return 2;
        }
      }
    }
    return 0;
  }
}
