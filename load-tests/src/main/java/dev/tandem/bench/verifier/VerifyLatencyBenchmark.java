package dev.tandem.bench.verifier;

import dev.tandem.bench.net.TcpRelay;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.router.config.ConfigReader;
import dev.tandem.router.config.TandemConfig.NetTransport;
import dev.tandem.router.connections.NetTransports;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SparseDistribution;
import dev.tandem.speccore.Verdict;
import dev.tandem.speccore.Verifier;
import dev.tandem.speccore.VerifierSession;
import dev.tandem.verifier.InProcessVerifier;
import dev.tandem.verifier.client.GrpcVerifier;
import dev.tandem.verifier.client.GrpcVerifierOptions;
import dev.tandem.verifier.engine.EngineOptions;
import dev.tandem.verifier.server.VerifierServer;
import dev.tandem.verifier.server.VerifierServerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Verify-call latency benchmark (not a test): the time one {@code verify} of k draft tokens takes
 * through the {@link InProcessVerifier} and through a {@link GrpcVerifier} talking to a {@link
 * VerifierServer} on loopback, both over the same engine and model in one run, and the bytes a
 * verify step puts on the wire.
 *
 * <p>Method: one session at a time (no batching), driven directly (no drafter): each call drafts
 * the next k tokens of the verifier's own greedy continuation, so every call scores k + 1 rows and
 * accepts all k. A call's latency is from {@code verify} to its verdict, taken on the calling
 * thread for both transports. Transports alternate per k in two rounds after a warm-up pass. Bytes:
 * a TCP relay between client and server counts everything both ways (protobuf, gRPC framing, HTTP/2
 * frames) during the verify calls only; the sampled variant sends a 50-token sparse draft
 * distribution per draft token, as a top-k 50 drafter would.
 *
 * <p>Usage: {@code VerifyLatencyBenchmark [--model DIR] [--k 1,2,...] [--calls N] [--transport
 * auto|epoll|nio]}: N timed calls per k and transport and round (default 150); the network
 * transport of the client and the server (default auto, as {@code tandem serve} and {@code tandem
 * verifier-server}: epoll on Linux). Default model: {@code fixtures/models/tandem-verifier} if
 * present, else the tiny test model.
 */
public final class VerifyLatencyBenchmark {

  private static final int PROMPTS = 4;
  private static final int PROMPT_LENGTH = 32;
  private static final int CONTINUATION = 160;
  private static final int SAMPLED_SUPPORT = 50;

  private VerifyLatencyBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path modelDir = BatchingBenchmark.defaultModel();
    int[] ks = {1, 2, 3, 4, 5, 6, 7, 8};
    int calls = 150;
    NetTransport transport = NetTransport.AUTO;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--model" -> modelDir = Path.of(args[i + 1]);
        case "--k" ->
            ks = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--calls" -> calls = Integer.parseInt(args[i + 1]);
        case "--transport" ->
            transport = ConfigReader.oneOf("--transport", NetTransport.class, args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    NetTransports.Choice network = NetTransports.choose(transport, "--transport");
    System.out.println("Network transport: " + network.description());
    Vertx vertx = NetTransports.vertx(network);
    try (ModelRuntime runtime = new ModelRuntime(1);
        Model model = runtime.load(modelDir, ModelOptions.DEFAULT);
        InProcessVerifier local = new InProcessVerifier("bench", model, EngineOptions.DEFAULTS)) {
      VerifierServer server =
          new VerifierServer(local.engine(), VerifierServerOptions.DEFAULTS.withPort(0));
      int serverPort = join(server.start(vertx));
      TcpRelay proxy = new TcpRelay(vertx, "127.0.0.1", serverPort, Duration.ZERO);
      int proxyPort = join(proxy.start());
      GrpcVerifier remote = grpcVerifier(vertx, serverPort);
      GrpcVerifier relayed = grpcVerifier(vertx, proxyPort); // bytes only: the relay adds a hop
      List<int[]> prompts =
          BatchingBenchmark.prompts(PROMPTS, PROMPT_LENGTH, model.config().vocabSize());
      List<int[]> continuations = new ArrayList<>();
      for (int[] prompt : prompts) {
        continuations.add(greedyContinuation(local, prompt));
      }
      Driver driver = new Driver(prompts, continuations, proxy, model.config().vocabSize());
      System.out.printf(
          "model=%s prompt=%d tokens, one session at a time, %d calls per k and transport and round%n",
          modelDir, PROMPT_LENGTH, calls);

      for (int k : ks) { // warm-up: JIT both paths, open the connection
        driver.run(local, k, 20, false);
        driver.run(remote, k, 20, false);
        driver.run(relayed, k, 5, false);
      }
      List<Row> rows = new ArrayList<>();
      for (int k : ks) {
        rows.add(new Row(k));
      }
      for (int round = 0; round < 2; round++) {
        for (Row row : rows) {
          row.local.addAll(driver.run(local, row.k, calls, false).latenciesMs());
          row.remote.addAll(driver.run(remote, row.k, calls, false).latenciesMs());
        }
      }
      for (Row row : rows) {
        row.greedyWire = driver.run(relayed, row.k, 40, false);
        row.sampledWire = driver.run(relayed, row.k, 40, true);
      }
      printTable(rows);
      remote.close();
      relayed.close();
      join(proxy.close());
      join(server.close());
    } finally {
      join(vertx.close());
    }
  }

  private static GrpcVerifier grpcVerifier(Vertx vertx, int port) {
    return new GrpcVerifier(
        vertx,
        GrpcVerifierOptions.of("", List.of("127.0.0.1:" + port))
            .withHealthInterval(Duration.ofHours(1)));
  }

  private static void printTable(List<Row> rows) {
    System.out.println();
    System.out.println(
        "| k | in-process p50 / p99 ms | loopback gRPC p50 / p99 ms | gRPC adds p50 ms | bytes per verify call, greedy (up / down) | sampled, q top-50 (up / down) |");
    System.out.println("|---:|---:|---:|---:|---:|---:|");
    for (Row row : rows) {
      double[] local = percentiles(row.local);
      double[] remote = percentiles(row.remote);
      System.out.printf(
          "| %d | %.3f / %.3f | %.3f / %.3f | %.3f | %.0f / %.0f | %.0f / %.0f |%n",
          row.k,
          local[0],
          local[1],
          remote[0],
          remote[1],
          remote[0] - local[0],
          row.greedyWire.upBytesPerCall(),
          row.greedyWire.downBytesPerCall(),
          row.sampledWire.upBytesPerCall(),
          row.sampledWire.downBytesPerCall());
    }
  }

  /** One k's samples. */
  private static final class Row {
    final int k;
    final List<Double> local = new ArrayList<>();
    final List<Double> remote = new ArrayList<>();
    Result greedyWire;
    Result sampledWire;

    Row(int k) {
      this.k = k;
    }
  }

  /** Latencies of one run of calls and the wire bytes they moved (zero for in-process). */
  record Result(List<Double> latenciesMs, long upBytes, long downBytes) {
    double upBytesPerCall() {
      return (double) upBytes / latenciesMs.size();
    }

    double downBytesPerCall() {
      return (double) downBytes / latenciesMs.size();
    }
  }

  /** Runs sessions one after another over the prompts until enough verify calls were timed. */
  private record Driver(List<int[]> prompts, List<int[]> continuations, TcpRelay proxy, int vocab) {

    Result run(Verifier verifier, int k, int calls, boolean sampled) {
      List<Double> latencies = new ArrayList<>();
      long up = 0;
      long down = 0;
      SamplingParams params =
          sampled ? new SamplingParams(0.8f, 1f, SAMPLED_SUPPORT, 7) : SamplingParams.GREEDY;
      for (int s = 0; latencies.size() < calls; s++) {
        int[] prompt = prompts.get(s % prompts.size());
        int[] continuation = continuations.get(s % prompts.size());
        VerifierSession session =
            join(verifier.open(prompt, params, PROMPT_LENGTH + CONTINUATION + 1));
        long up0 = proxy.upstreamBytes();
        long down0 = proxy.downstreamBytes();
        int generated = 1; // the first token came with the open
        while (latencies.size() < calls && generated + k + 1 <= CONTINUATION) {
          DraftBlock draft = draft(continuation, generated, k, sampled);
          long t0 = System.nanoTime();
          Verdict verdict = join(session.verify(draft));
          latencies.add((System.nanoTime() - t0) / 1e6);
          generated += verdict.emittedCount();
        }
        up += proxy.upstreamBytes() - up0;
        down += proxy.downstreamBytes() - down0;
        session.close();
      }
      return new Result(latencies, up, down);
    }

    /** The next k tokens of the continuation; when sampled, each with a 50-token q around it. */
    private DraftBlock draft(int[] continuation, int from, int k, boolean sampled) {
      int[] tokens = Arrays.copyOfRange(continuation, from, from + k);
      if (!sampled) {
        return DraftBlock.greedy(tokens);
      }
      SparseDistribution[] probs = new SparseDistribution[k];
      for (int i = 0; i < k; i++) {
        int[] support = new int[SAMPLED_SUPPORT];
        float[] p = new float[SAMPLED_SUPPORT];
        support[0] = tokens[i];
        p[0] = 0.5f;
        for (int j = 1; j < SAMPLED_SUPPORT; j++) {
          support[j] = (tokens[i] + j) % vocab;
          p[j] = 0.5f / (SAMPLED_SUPPORT - 1);
        }
        probs[i] = new SparseDistribution(support, p);
      }
      return new DraftBlock(tokens, probs);
    }
  }

  /** The verifier's greedy continuation of {@code prompt}: plain decoding steps in-process. */
  private static int[] greedyContinuation(InProcessVerifier verifier, int[] prompt) {
    int[] out = new int[CONTINUATION];
    try (VerifierSession session =
        join(verifier.open(prompt, SamplingParams.GREEDY, PROMPT_LENGTH + CONTINUATION + 1))) {
      out[0] = session.firstToken();
      for (int i = 1; i < CONTINUATION; i++) {
        out[i] = join(session.verify(DraftBlock.empty())).nextToken();
      }
    }
    return out;
  }

  private static double[] percentiles(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new double[] {
      sorted[(int) Math.min(sorted.length - 1, Math.round(0.50 * (sorted.length - 1)))],
      sorted[(int) Math.min(sorted.length - 1, Math.round(0.99 * (sorted.length - 1)))]
    };
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static <T> T join(Future<T> future) {
    return join(future.toCompletionStage());
  }
}
