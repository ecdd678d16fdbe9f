package dev.tandem.bench;

import dev.tandem.bench.model.ModelBench;
import dev.tandem.bench.model.Nd4jKernelBench;
import dev.tandem.bench.model.QuantBench;
import dev.tandem.bench.router.BenchReport;
import dev.tandem.bench.router.BenchSuites;
import dev.tandem.bench.verifier.BatchingBenchmark;
import dev.tandem.bench.verifier.FailoverBenchmark;
import dev.tandem.bench.verifier.VerifyLatencyBenchmark;
import dev.tandem.router.cli.TandemCli;
import dev.tandem.router.cli.TandemHome;
import dev.tandem.router.config.ConfigReader;
import dev.tandem.router.config.TandemConfig.NetTransport;
import dev.tandem.router.synthetic.SyntheticRouter;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code tandem bench}: the benchmarks whose numbers go into BENCHMARKS.md. The launcher runs this
 * jar ({@code load-tests/target/tandem-bench.jar}); no production jar contains it.
 */
@Command(
    name = "tandem bench",
    mixinStandardHelpOptions = true,
    description = {
      "Router benchmarks, printed as markdown tables (--suite):",
      "  real      speculative vs. plain decoding, everything in-process on this CPU",
      "  remote    the same through a verifier server behind a TCP relay that delays each call by"
          + " --delay-ms (a network round trip)",
      "  overhead  router cost over a zero-compute synthetic backend at many concurrent streams",
      "  metrics   the overhead bench with metrics off and on, alternating, in one run",
      "  tls       the overhead bench over plaintext and TLS, alternating, in one run",
      "  transport the overhead bench's floor: Vert.x's gRPC server alone, pre-encoded chunks",
      "The other benchmarks are subcommands (each takes its own arguments, see BENCHMARKS.md)."
    },
    subcommands = {
      BenchCommand.Model.class,
      BenchCommand.Quant.class,
      BenchCommand.Kernels.class,
      BenchCommand.Batching.class,
      BenchCommand.VerifyLatency.class,
      BenchCommand.Cost.class,
      BenchCommand.Routing.class,
      BenchCommand.Cache.class,
      BenchCommand.Budgets.class,
      BenchCommand.Failover.class,
      BenchCommand.Step.class,
      BenchCommand.Policy.class,
      BenchCommand.Abuse.class,
      BenchCommand.Report.class
    })
public final class BenchCommand implements Callable<Integer> {

  public static void main(String[] args) {
    TandemCli.configureLogging(); // the same one-line log format and levels as ./tandem serve
    System.exit(commandLine().execute(args));
  }

  /** The command line; every subcommand takes {@code --help} (the pass-through ones too). */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new BenchCommand());
    cli.getSubcommands().values().forEach(c -> c.getCommandSpec().mixinStandardHelpOptions(true));
    return cli;
  }

  @Option(
      names = "--config",
      description = "Config file merged over the embedded default (models, runtime)")
  java.nio.file.Path config;

  @Option(
      names = "--suite",
      split = ",",
      description =
          "real, remote, overhead, metrics, tls, transport (metrics and tls: at the first --streams level; default: real, remote, overhead)")
  List<String> suites = List.of("real", "remote", "overhead");

  @Option(
      names = "--workloads",
      split = ",",
      description = "Workload names under fixtures/workloads (default code,prose,repetitive,chat)")
  List<String> workloads = List.of("code", "prose", "repetitive", "chat");

  @Option(names = "--requests", description = "Requests per workload and variant (default 6)")
  int requests = 6;

  @Option(
      names = "--delay-ms",
      description =
          "Round trip the relay adds to every remote verifier call, half each way (default 25)")
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

  @Option(
      names = "--client",
      description =
          "Where the overhead suite's load client runs: process (a JVM of its own, the default:"
              + " the router's pauses and allocation alone) or in-process")
  String client = "process";

  @Option(
      names = "--pacing",
      description =
          "How the overhead suite's synthetic verifier releases its verdicts: ticks (gathered into"
              + " 1 ms ticks, each tick's lateness counted; the default) or spread (each at its own"
              + " due time from a thread of its own, stamped when released)")
  String pacing = "ticks";

  @Option(
      names = "--transport",
      description =
          "The overhead and transport suites' server transport: auto (the router's default:"
              + " epoll on Linux), epoll or nio")
  String transport = "auto";

  @Override
  public Integer call() throws Exception {
    if (!List.of("process", "in-process").contains(client)) {
      System.err.println("tandem bench: --client must be process or in-process, got " + client);
      return 2;
    }
    if (!List.of("ticks", "spread").contains(pacing)) {
      System.err.println("tandem bench: --pacing must be ticks or spread, got " + pacing);
      return 2;
    }
    NetTransport netTransport;
    try {
      netTransport = ConfigReader.oneOf("--transport", NetTransport.class, transport);
    } catch (IllegalArgumentException e) {
      System.err.println("tandem bench: " + e.getMessage());
      return 2;
    }
    for (String suite : suites) {
      if (!List.of("real", "remote", "overhead", "metrics", "tls", "transport").contains(suite)) {
        System.err.println(
            "tandem bench: --suite must be real, remote, overhead, metrics, tls or transport, got "
                + suite);
        return 2;
      }
    }
    if (requests < 1 || steps < 1 || delayMs < 0 || !(paceMs > 0)) {
      System.err.println(
          "tandem bench: --requests and --steps must be >= 1, --delay-ms >= 0, --pace-ms > 0");
      return 2;
    }
    BenchSuites bench =
        new BenchSuites(
            TandemHome.path(), config, System.out, line -> System.err.println("tandem: " + line));
    for (String suite : suites) {
      switch (suite) {
        case "real" -> bench.real(workloads, requests);
        case "remote" -> bench.remote(workloads, requests, delayMs);
        case "metrics" -> bench.metricsCost(streams.get(0), steps, paceMs);
        case "tls" -> bench.tlsCost(streams.get(0), steps, paceMs);
        case "transport" -> bench.transport(streams, steps, paceMs, placement(), netTransport);
        default ->
            bench.overheadLevels(
                streams,
                steps,
                paceMs,
                placement(),
                pacing.equals("spread")
                    ? SyntheticRouter.Pacing.SPREAD
                    : SyntheticRouter.Pacing.TICKS,
                netTransport);
      }
    }
    return 0;
  }

  private BenchSuites.ClientPlacement placement() {
    return client.equals("process")
        ? BenchSuites.ClientPlacement.PROCESS
        : BenchSuites.ClientPlacement.IN_PROCESS;
  }

  /** A benchmark with its own {@code main(String[])} and argument parsing. */
  private abstract static class PassThrough implements Callable<Integer> {
    @Unmatched List<String> args = new ArrayList<>();
    @Spec CommandSpec spec;

    abstract void run(String[] args) throws Exception;

    @Override
    public Integer call() throws Exception {
      try {
        run(args.toArray(String[]::new));
        return 0;
      } catch (NoSuchFileException e) {
        // a mistyped model directory or file: the path, not a stack trace
        spec.commandLine().getErr().println("tandem bench " + spec.name() + ": " + e.getMessage());
        return 2;
      }
    }
  }

  @Command(
      name = "model",
      description = "Model runtime decode speed: DIR... [--backends vector,nd4j] [--tokens 128]")
  static final class Model extends PassThrough {
    @Override
    void run(String[] args) throws Exception {
      ModelBench.main(args);
    }
  }

  @Command(
      name = "quant",
      description =
          "Quantized weights: speed, memory and quality per format: [DIR...]"
              + " [--formats f32,bf16,q8_0,q4] [--rounds 8] [--draft DIR] [--verifier DIR]"
              + " [--workloads code,...] [--no-speed] [--no-quality]")
  static final class Quant extends PassThrough {
    @Override
    void run(String[] args) throws Exception {
      QuantBench.main(args);
    }
  }

  @Command(name = "kernels", description = "ND4J vs. vector kernels per operation [attention]")
  static final class Kernels extends PassThrough {
    @Override
    void run(String[] args) {
      Nd4jKernelBench.main(args);
    }
  }

  @Command(
      name = "batching",
      description =
          "Verifier continuous batching: [--model DIR] [--k 0,1,4] [--sessions 8,32]"
              + " [--model-threads N]")
  static final class Batching extends PassThrough {
    @Override
    void run(String[] args) throws Exception {
      BatchingBenchmark.main(args);
    }
  }

  @Command(
      name = "verify-latency",
      description =
          "Verify-call latency, in-process vs. loopback gRPC, and bytes on the wire:"
              + " [--model DIR] [--k 1,...] [--calls N] [--transport auto|epoll|nio]")
  static final class VerifyLatency extends PassThrough {
    @Override
    void run(String[] args) throws Exception {
      VerifyLatencyBenchmark.main(args);
    }
  }

  @Command(
      name = "failover",
      description =
          "Mid-stream verifier failover: kill -> next chunk per stream, output equality:"
              + " [--model DIR] [--streams 50] [--tokens 64] [--k 4]")
  static final class Failover extends PassThrough {
    @Override
    void run(String[] args) throws Exception {
      FailoverBenchmark.main(args);
    }
  }

  @Command(
      name = "abuse",
      description =
          "Abusive clients (slowloris, connection flood, HTTP/2 rapid reset, oversized and"
              + " non-UTF-8 bodies, gRPC clients that never read) vs. a well-behaved stream's chunk"
              + " gaps, clean / under abuse / clean again: [--seconds 10] [--streams 16]"
              + " [--only slowloris|flood|rapid-reset|oversized|not-utf8|never-read]")
  static final class Abuse extends PassThrough {
    @Override
    void run(String[] args) throws Exception {
      dev.tandem.bench.abuse.AbuseBenchmark.main(args);
    }
  }

  @Command(
      name = "cache",
      description =
          "Response cache on fixtures/workloads/cache.jsonl: embedder separation (AUC, hits and"
              + " false hits per guard), then end to end through the embedded router: hit rate per"
              + " kind, false hits, verifier cost saved, TTFT of hits vs misses: [--max-tokens 32] [--redis]")
  static final class Cache extends PassThrough {
    @Override
    void run(String[] args) throws Exception {
      String[] all = new String[args.length + 1];
      all[0] = TandemHome.path().toString();
      System.arraycopy(args, 0, all, 1, args.length);
      dev.tandem.bench.cache.CacheBench.main(all);
    }
  }

  @Command(
      name = "budgets",
      description =
          "Reservations/s (reserve + settle) in memory vs. two routers sharing one Redis, and Redis"
              + " round trips per request: [--pairs 20000] [--concurrency 64] [--tenants 8]"
              + " [--rounds 2] [--redis redis://host:port]")
  static final class Budgets extends PassThrough {
    @Override
    void run(String[] args) throws Exception {
      dev.tandem.bench.budget.BudgetBench.main(args);
    }
  }

  @Command(
      name = "step",
      mixinStandardHelpOptions = true,
      description = {
        "Served plain decoding (k = 0, in-process verifier) against the runtime's own decode loop"
            + " on the same model, request by request in one run, and the thread hand-off"
            + " latencies a served step pays."
      })
  static final class Step implements Callable<Integer> {
    @Option(names = "--workloads", split = ",", description = "default code,chat")
    List<String> workloads = List.of("code", "chat");

    @Option(names = "--requests", description = "Requests per workload (default 10)")
    int requests = 10;

    @Option(names = "--rounds", description = "Rounds over the requests (default 3)")
    int rounds = 3;

    @Option(names = "--no-handoffs", description = "Skip the hand-off latency table")
    boolean noHandoffs;

    @Override
    public Integer call() throws Exception {
      if (requests < 1 || rounds < 1) {
        System.err.println("tandem bench step: --requests and --rounds must be >= 1");
        return 2;
      }
      var home = TandemHome.path();
      BenchSuites suites =
          new BenchSuites(home, null, System.out, line -> System.err.println("tandem: " + line));
      suites.servedStep(workloads, requests, rounds, !noHandoffs);
      return 0;
    }
  }

  @Command(
      name = "policy",
      mixinStandardHelpOptions = true,
      description = {
        "The draft-length policy at rising load: plain, fixed k = 1, 2, 4, 8 and adaptive k (model"
            + " drafter), closed-loop clients over the mixed workload, variants in turns, in-process"
            + " and through the remote profile."
      })
  static final class Policy implements Callable<Integer> {
    @Option(names = "--profiles", split = ",", description = "in-process, remote (default both)")
    List<String> profiles = List.of("in-process", "remote");

    @Option(names = "--workloads", split = ",", description = "default code,prose,repetitive,chat")
    List<String> workloads = List.of("code", "prose", "repetitive", "chat");

    @Option(names = "--streams", split = ",", description = "Levels (default 1,8,32,128)")
    List<Integer> streams = List.of(1, 8, 32, 128);

    @Option(names = "--rounds", description = "Turns of the variants per level (default 2)")
    int rounds = 2;

    @Option(
        names = "--requests-per-stream",
        description =
            "Requests each stream runs per variant and round, 48 in all at least (default 4)")
    int requestsPerStream = 4;

    @Option(names = "--max-tokens", description = "Cap on each request's max_tokens (default 64)")
    int maxTokens = 64;

    @Option(names = "--delay-ms", description = "Remote profile round trip per call (default 25)")
    long delayMs = 25;

    @Option(names = "--slo-tpot-ms", description = "Goodput's TPOT bound (default 50)")
    double sloTpotMs = 50;

    @Option(
        names = "--variants",
        split = ",",
        description =
            "Variants to run, plain and adaptive among them: plain, model-off (the model drafter's"
                + " session open, speculation off: what a draft session costs), k=1, k=2, k=4, k=8,"
                + " adaptive (default all but model-off)")
    List<String> variants = BenchSuites.DEFAULT_POLICY_VARIANTS;

    @Option(
        names = "--remote-server",
        description =
            "Where the remote profile's verifier server runs: own-cpu (a JVM of its own pinned to"
                + " the last CPU, the router's JVM to the others, as a server on a machine of its"
                + " own; needs taskset and 2 CPUs; the default) or same-jvm (the router's JVM, on"
                + " the same cores, as before 2026-12-03)")
    String remoteServer = "own-cpu";

    @Override
    public Integer call() throws Exception {
      if (!List.of("same-jvm", "own-cpu").contains(remoteServer)) {
        System.err.println(
            "tandem bench policy: --remote-server must be same-jvm or own-cpu, got "
                + remoteServer);
        return 2;
      }
      for (String v : variants) {
        if (!BenchSuites.POLICY_VARIANTS.contains(v)) {
          System.err.println(
              "tandem bench policy: --variants must be among "
                  + String.join(", ", BenchSuites.POLICY_VARIANTS)
                  + ", got "
                  + v);
          return 2;
        }
      }
      if (!variants.contains("plain") || !variants.contains("adaptive")) {
        System.err.println("tandem bench policy: --variants must include plain and adaptive");
        return 2;
      }
      for (String p : profiles) {
        if (!List.of("in-process", "remote").contains(p)) {
          System.err.println(
              "tandem bench policy: --profiles must be in-process or remote, got " + p);
          return 2;
        }
      }
      if (rounds < 1 || requestsPerStream < 1 || maxTokens < 2 || streams.isEmpty()) {
        System.err.println(
            "tandem bench policy: --rounds >= 1, --requests-per-stream >= 1, --max-tokens >= 2,"
                + " --streams set");
        return 2;
      }
      BenchSuites suites =
          new BenchSuites(
              TandemHome.path(), null, System.out, line -> System.err.println("tandem: " + line));
      suites.policy(
          profiles,
          workloads,
          streams,
          rounds,
          requestsPerStream,
          maxTokens,
          delayMs,
          sloTpotMs,
          variants,
          remoteServer.equals("own-cpu")
              ? BenchSuites.RemoteServer.OWN_CPU
              : BenchSuites.RemoteServer.SAME_JVM);
      return 0;
    }
  }

  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      description = {
        "Every headline figure in one go on the fixtures, written into BENCHMARKS.md (between its"
            + " report markers) with PNG charts in bench-charts/, each figure against its goal.",
        "Sections: runtime (vs. PyTorch), speculation (in-process and remote profile: drafters,"
            + " fixed and adaptive k, tokens per call, cost by mechanism), routing (quality vs."
            + " cost), load (TTFT/ITL/TPOT and goodput at rising load), overhead (synthetic"
            + " backend)."
      })
  static final class Report implements Callable<Integer> {
    @Option(
        names = "--sections",
        split = ",",
        description = "runtime, speculation, routing, load, overhead (default: all)")
    List<String> sections = List.of("runtime", "speculation", "routing", "load", "overhead");

    @Option(names = "--workloads", split = ",", description = "default code,prose,repetitive,chat")
    List<String> workloads = List.of("code", "prose", "repetitive", "chat");

    @Option(names = "--requests", description = "Requests per workload and variant (default 6)")
    int requests = 6;

    @Option(names = "--delay-ms", description = "Remote profile round trip per call (default 25)")
    long delayMs = 25;

    @Option(
        names = "--load-levels",
        split = ",",
        description = "Concurrent clients per load level (default 1,2,4,8,16)")
    List<Integer> loadLevels = List.of(1, 2, 4, 8, 16);

    @Option(names = "--requests-per-level", description = "Requests per load level (default 24)")
    int requestsPerLevel = 24;

    @Option(
        names = "--streams",
        split = ",",
        description = "Overhead levels (default 500,1000,2000)")
    List<Integer> streams = List.of(500, 1000, 2000);

    @Option(names = "--slo-ttft-ms", description = "Goodput's TTFT bound (default 500)")
    double sloTtftMs = 500;

    @Option(names = "--slo-tpot-ms", description = "Goodput's TPOT bound (default 50)")
    double sloTpotMs = 50;

    @Override
    public Integer call() throws Exception {
      List<String> known = List.of("runtime", "speculation", "routing", "load", "overhead");
      for (String s : sections) {
        if (!known.contains(s)) {
          System.err.println("tandem bench report: --sections must be of " + known + ", got " + s);
          return 2;
        }
      }
      if (requests < 2 || requestsPerLevel < 1 || delayMs < 0 || loadLevels.isEmpty()) {
        System.err.println(
            "tandem bench report: --requests must be >= 2, --requests-per-level >= 1,"
                + " --delay-ms >= 0, --load-levels not empty");
        return 2;
      }
      var home = TandemHome.path();
      BenchSuites suites =
          new BenchSuites(home, null, System.err, line -> System.err.println("tandem: " + line));
      new BenchReport(home, suites, System.err)
          .run(
              new BenchReport.Options(
                  sections,
                  workloads,
                  requests,
                  delayMs,
                  loadLevels,
                  requestsPerLevel,
                  streams,
                  sloTtftMs,
                  sloTpotMs));
      return 0;
    }
  }

  @Command(
      name = "cost",
      description =
          "Cost per 1k tokens and quality: plain, speculation (per-call and per-token pricing),"
              + " routing, both; then the routing evaluation (quality vs cost): [OUT_DIR]")
  static final class Cost extends PassThrough {
    @Override
    void run(String[] args) throws Exception {
      String home = TandemHome.path().toString();
      dev.tandem.bench.cost.CostBench.main(
          args.length > 0 ? new String[] {home, args[0]} : new String[] {home});
    }
  }

  @Command(
      name = "routing",
      description =
          "The routing evaluation alone (the last part of `cost`): fit on fixtures/routing's"
              + " training split, test split with bootstrap intervals, the workloads:"
              + " [--pair CHEAP,CAPABLE] (two of tiny, small, large; default small,large)"
              + " [OUT_DIR]")
  static final class Routing extends PassThrough {
    @Override
    void run(String[] args) throws Exception {
      String[] withHome = new String[args.length + 1];
      withHome[0] = TandemHome.path().toString();
      System.arraycopy(args, 0, withHome, 1, args.length);
      dev.tandem.bench.cost.RoutingEvaluation.main(withHome);
    }
  }
}
