package dev.tandem.bench.router;

import dev.tandem.model.Logits;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Sequence;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.speccore.SamplingTransform;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Served plain decoding against the model runtime's own decode loop, for the same model and the
 * same requests, in one run: each request is served by the router (in-process verifier, speculation
 * off) and then decoded by a bare loop on a model thread of this process ({@code forward} one
 * token, argmax, repeat) for as many steps, request by request, so drift on a shared machine hits
 * both alike. What the router adds per step (hand-offs, chunking, gRPC, the client) is the
 * difference.
 *
 * <p>Decode rate = tokens after the first / time after the first: for the served request the span
 * from its first chunk to its last (1 / TPOT), for the bare loop the decode steps after the
 * prompt's prefill. End to end = all tokens / (request → last chunk) and / (prefill + decode).
 */
final class ServedStepBench {

  private final StreamClient client;
  private final Model model;
  private static final long WARM_UP_NANOS = 10_000_000_000L;
  private static final long WARM_UP_MAX_NANOS = 90_000_000_000L;
  private static final long JIT_WINDOW_NANOS = 3_000_000_000L;

  private final PrintStream out;
  private final long rawThread;

  private static final com.sun.management.ThreadMXBean CPU =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  ServedStepBench(StreamClient client, Model model, PrintStream out) {
    this.client = client;
    this.model = model;
    this.out = out;
    this.rawThread = model.runtime().submit(() -> Thread.currentThread().threadId()).join();
  }

  /**
   * CPU time so far of the process, of the model threads other than the bare loop's (the router's)
   * and of the Vert.x event loops (the router's and the client's), and bytes allocated by all.
   */
  private record CpuSnapshot(long process, long model, long loops, long allocated) {
    static CpuSnapshot now(long exclude) {
      long model = 0;
      long loops = 0;
      for (ThreadInfo info : CPU.getThreadInfo(CPU.getAllThreadIds())) {
        if (info == null || info.getThreadId() == exclude) {
          continue;
        }
        long cpu = Math.max(0, CPU.getThreadCpuTime(info.getThreadId()));
        if (info.getThreadName().startsWith("tandem-model-")) {
          model += cpu;
        } else if (info.getThreadName().startsWith("vert.x-eventloop-")) {
          loops += cpu;
        }
      }
      var os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      return new CpuSnapshot(
          os.getProcessCpuTime(), model, loops, CPU.getTotalThreadAllocatedBytes());
    }

    CpuSnapshot minus(CpuSnapshot o) {
      return new CpuSnapshot(
          process - o.process, model - o.model, loops - o.loops, allocated - o.allocated);
    }
  }

  /** Totals of one side (served or raw) over a workload. */
  private static final class Side {
    long decodeTokens;
    long decodeNanos;
    long tokens;
    long totalNanos;
    long modelCpuNanos;
    long loopCpuNanos;
    long otherCpuNanos;
    long allocatedBytes;

    double decodeRate() {
      return decodeTokens / (decodeNanos / 1e9);
    }

    double endToEndRate() {
      return tokens / (totalNanos / 1e9);
    }
  }

  void run(List<Workload> workloads, int rounds) {
    out.println();
    out.println("#### Served plain decoding (k = 0) vs. the runtime's own decode loop, same run");
    out.println();
    out.println(
        "| workload | requests × rounds | raw decode tok/s | served decode tok/s | served ÷ raw | raw step ms | served step ms (TPOT) | overhead per step ms | raw end-to-end tok/s | served end-to-end tok/s | served ÷ raw end-to-end |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    Side allRaw = new Side();
    Side allServed = new Side();
    long measuredJitMillis = 0;
    long measuredNanos = 0;
    for (Workload w : workloads) {
      warmUp(w);
      long jit0 = jitMillis();
      long t0 = System.nanoTime();
      Side raw = new Side();
      Side served = new Side();
      for (int round = 0; round < rounds; round++) {
        for (GenerateRequest request : w.requests()) {
          StreamTrace trace = serve(request, served);
          decodeRaw(request, raw, trace.summary().getUsage().getPromptTokens());
        }
      }
      measuredJitMillis += jitMillis() - jit0;
      measuredNanos += System.nanoTime() - t0;
      row(w.name(), w.requests().size() + " × " + rounds, raw, served);
      merge(allRaw, raw);
      merge(allServed, served);
    }
    if (workloads.size() > 1) {
      row("all", "", allRaw, allServed);
    }
    out.println();
    out.println(
        "Where a served token's time goes (all workloads; per generated token, CPU by thread"
            + " group over each served request, raw = the bare loop's thread):");
    out.println();
    out.println(
        "| | wall ms per token (end to end) | model thread CPU ms | off-CPU on the model thread ms | event loops CPU ms (router + client) | other CPU ms (GC, JIT, rest) | allocated KB |");
    out.println("|---|---:|---:|---:|---:|---:|---:|");
    breakdown("raw loop", allRaw);
    breakdown("served", allServed);
    out.printf(
        Locale.ROOT,
        "%nThe JIT compiled for %d ms during the %.1f s measured (after warm-up).%n",
        measuredJitMillis,
        measuredNanos / 1e9);
  }

  private void breakdown(String name, Side side) {
    double perToken = 1e6 * side.tokens;
    out.printf(
        Locale.ROOT,
        "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f |%n",
        name,
        side.totalNanos / perToken,
        side.modelCpuNanos / perToken,
        (side.totalNanos - side.modelCpuNanos) / perToken,
        side.loopCpuNanos / perToken,
        side.otherCpuNanos / perToken,
        side.allocatedBytes / 1024.0 / side.tokens);
    out.flush();
  }

  /**
   * Both paths until the JIT has compiled them: the vector kernels run as slow, allocating Java
   * code until C2 compiled them, which takes seconds, and whichever path ran first would pay. At
   * least 10 s, then until the compiler threads spent under 2 % of a 3 s window (at most 90 s): a
   * compiler thread still busy takes its CPU from the measured paths, more from the served one,
   * which runs more code.
   */
  private void warmUp(Workload w) {
    long start = System.nanoTime();
    long windowStart = start;
    long jitAtWindowStart = jitMillis();
    for (int i = 0; ; i++) {
      GenerateRequest request = w.requests().get(i % w.requests().size());
      if (i % 2 == 0) {
        decodeRaw(request, new Side(), 0);
        serve(request, new Side());
      } else {
        serve(request, new Side());
        decodeRaw(request, new Side(), 0);
      }
      long now = System.nanoTime();
      if (now - start >= WARM_UP_MAX_NANOS) {
        out.printf(
            Locale.ROOT, "(%s: the JIT was still compiling after 90 s of warm-up)%n", w.name());
        return;
      }
      if (now - windowStart >= JIT_WINDOW_NANOS) {
        long jit = jitMillis() - jitAtWindowStart;
        if (i >= 5 && now - start >= WARM_UP_NANOS && jit * 1e6 < 0.02 * (now - windowStart)) {
          return;
        }
        windowStart = now;
        jitAtWindowStart = jitMillis();
      }
    }
  }

  private static long jitMillis() {
    return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
  }

  private void row(String name, String count, Side raw, Side served) {
    double rawStep = raw.decodeNanos / 1e6 / raw.decodeTokens;
    double servedStep = served.decodeNanos / 1e6 / served.decodeTokens;
    out.printf(
        Locale.ROOT,
        "| %s | %s | %.1f | %.1f | **%.1f %%** | %.3f | %.3f | %.3f | %.1f | %.1f | %.1f %% |%n",
        name,
        count,
        raw.decodeRate(),
        served.decodeRate(),
        100 * served.decodeRate() / raw.decodeRate(),
        rawStep,
        servedStep,
        servedStep - rawStep,
        raw.endToEndRate(),
        served.endToEndRate(),
        100 * served.endToEndRate() / raw.endToEndRate());
    out.flush();
  }

  private static void merge(Side into, Side from) {
    into.decodeTokens += from.decodeTokens;
    into.decodeNanos += from.decodeNanos;
    into.tokens += from.tokens;
    into.totalNanos += from.totalNanos;
    into.modelCpuNanos += from.modelCpuNanos;
    into.loopCpuNanos += from.loopCpuNanos;
    into.otherCpuNanos += from.otherCpuNanos;
    into.allocatedBytes += from.allocatedBytes;
  }

  private StreamTrace serve(GenerateRequest request, Side side) {
    CpuSnapshot before = CpuSnapshot.now(rawThread);
    StreamTrace trace = client.sequential(List.of(SpeculationBench.PLAIN.apply(request))).get(0);
    CpuSnapshot spent = CpuSnapshot.now(rawThread).minus(before);
    side.modelCpuNanos += spent.model;
    side.loopCpuNanos += spent.loops;
    side.otherCpuNanos += spent.process - spent.model - spent.loops;
    side.allocatedBytes += spent.allocated;
    int tokens = trace.tokens();
    long[] at = trace.chunkNanos();
    if (tokens > 1 && at.length > 0) {
      side.decodeTokens += tokens - 1;
      side.decodeNanos += trace.endNanos() - at[0];
    }
    side.tokens += tokens;
    side.totalNanos += trace.endNanos() - trace.startNanos();
    return trace;
  }

  /**
   * The bare loop on the model thread: prefill a prompt of the served request's length (the text's
   * own tokens, repeated to length), then greedy decode max_tokens steps (EOS ignored: the same
   * number of steps every time).
   */
  private void decodeRaw(GenerateRequest request, Side side, int promptTokens) {
    int[] text = model.tokenizer().encode(promptText(request));
    int length = Math.max(1, promptTokens > 0 ? promptTokens : text.length);
    int[] prompt = new int[length];
    for (int i = 0; i < length; i++) {
      prompt[i] = text.length == 0 ? 1 : text[i % text.length];
    }
    int steps = request.getMaxTokens();
    long[] times =
        model
            .runtime()
            .submit(
                () -> {
                  Sequence seq = model.newSequence(length + steps + 1);
                  long c0 = CPU.getCurrentThreadCpuTime();
                  long t0 = System.nanoTime();
                  Logits logits = model.prefill(seq, prompt);
                  long t1 = System.nanoTime();
                  int[] one = new int[1];
                  for (int i = 1; i < steps; i++) {
                    one[0] = SamplingTransform.argmax(logits.last());
                    logits = model.forward(seq, one);
                  }
                  SamplingTransform.argmax(logits.last());
                  return new long[] {t0, t1, System.nanoTime(), CPU.getCurrentThreadCpuTime() - c0};
                })
            .join();
    side.decodeTokens += steps - 1;
    side.decodeNanos += times[2] - times[1];
    side.tokens += steps;
    side.totalNanos += times[2] - times[0];
    side.modelCpuNanos += times[3];
  }

  private static String promptText(GenerateRequest request) {
    if (request.hasMessages()) {
      StringBuilder text = new StringBuilder();
      request
          .getMessages()
          .getMessagesList()
          .forEach(m -> text.append(m.getContent()).append('\n'));
      return text.toString();
    }
    return request.getPrompt();
  }

  /** Loads the tier's verifier model on a runtime of its own and runs the comparison. */
  static void run(
      BenchSuites suites, Path modelDir, List<Workload> workloads, int rounds, PrintStream out)
      throws IOException {
    try (ModelRuntime runtime = new ModelRuntime(1);
        Model model = runtime.load(modelDir, ModelOptions.DEFAULT)) {
      suites.inProcess(
          client -> {
            new ServedStepBench(client, model, out).run(workloads, rounds);
            return null;
          });
    }
    out.println();
    out.println(
        "Served: through the embedded router (gRPC Generate on loopback, in-process verifier,"
            + " speculation off); raw: the same model's forward + argmax in a bare loop on a model"
            + " thread of the same process; served and raw take turns request by request.");
  }
}
