package dev.tandem.bench.model;

import dev.tandem.model.Backend;
import dev.tandem.model.Logits;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Sequence;
import dev.tandem.speccore.SamplingTransform;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decode speed of the model runtime (a benchmark, not a test). For each model directory and
 * backend: greedy decode tokens/s at batch 1 (after a 16-token prompt; 1 / median step time, in
 * wall time and in thread CPU time, the steadier figure on a shared machine), the cost of scoring a
 * block of k = 1..8 tokens in one forward relative to one decode step, heap bytes allocated per
 * decode step, and resident memory with the model loaded.
 *
 * <pre>
 * ./tandem bench model DIR... [--backends vector,nd4j] [--tokens 128]
 * </pre>
 *
 * Single model thread; kernels are single-threaded.
 */
public final class ModelBench {
  private static final int PROMPT = 16;

  private ModelBench() {}

  public static void main(String[] args) throws Exception {
    List<Path> dirs = new ArrayList<>();
    List<String> backends = List.of("vector", "vector-bf16-at-load", "nd4j");
    int tokens = 128;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--backends" -> backends = List.of(args[++i].split(","));
        case "--tokens" -> tokens = Integer.parseInt(args[++i]);
        default -> dirs.add(Path.of(args[i]));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%-24s %-20s %9s %9s %9s  %-40s %s%n",
        "model",
        "backend",
        "params(M)",
        "decode/s",
        "/cpu-s",
        "score k=1..8 / one decode step            heap alloc",
        "memory with the model loaded");
    try (ModelRuntime runtime = new ModelRuntime(1)) {
      for (Path dir : dirs) {
        for (String backend : backends) {
          run(runtime, dir, backend, tokens);
        }
      }
    }
  }

  private static void run(ModelRuntime runtime, Path dir, String backend, int tokens)
      throws IOException {
    boolean widen = backend.endsWith("-bf16-at-load");
    Backend b = Backend.parse(backend.replace("-bf16-at-load", ""));
    Model model;
    try {
      model = runtime.load(dir, new ModelOptions(b, 64, widen));
    } catch (IllegalStateException e) {
      System.out.printf(
          Locale.ROOT, "%-28s %-20s unavailable: %s%n", dir.getFileName(), backend, e.getMessage());
      return;
    }
    try (model) {
      String result = runtime.submit(() -> measure(model, tokens)).join();
      System.out.printf(
          Locale.ROOT,
          "%-24s %-20s %9.2f %s  %s%n",
          dir.getFileName(),
          backend,
          parameters(dir) / 1e6,
          result,
          memory());
    }
  }

  /** Greedy decode tokens/s at batch 1: 1 / median step time, in wall and in thread CPU time. */
  public record DecodeRate(double wall, double cpu) {}

  /**
   * Decode speed of {@code model} after a 16-token prompt, {@code tokens} steps × 3 runs after a
   * JIT warm-up; leaves the sequence state of the model untouched (it uses its own).
   */
  public static DecodeRate decodeRate(Model model, int tokens) {
    int vocab = model.config().vocabSize();
    int[] prompt = new int[PROMPT];
    for (int i = 0; i < PROMPT; i++) {
      prompt[i] = (i * 31 + 7) % vocab;
    }
    Sequence seq =
        model.newSequence(Math.min(model.config().maxPositionEmbeddings(), PROMPT + tokens + 16));
    return decodeRate(model, seq, prompt, tokens);
  }

  private static DecodeRate decodeRate(Model model, Sequence seq, int[] prompt, int tokens) {
    int steps = Math.min(tokens, seq.capacity() - PROMPT - 9);
    long[] stepNanos = new long[steps * 3];
    long[] stepCpuNanos = new long[steps * 3];
    // warm-up until the JIT has compiled the kernels: at least 3 rounds and 2 seconds, blocks too
    long warmUntil = System.nanoTime() + 2_000_000_000L;
    for (int round = 0; round < 3 || System.nanoTime() < warmUntil; round++) {
      decode(model, seq, prompt, steps, new long[steps], new long[steps]);
      seq.truncate(PROMPT);
      model.forward(seq, new int[] {1, 2, 3, 4, 5, 6, 7, 8});
    }
    for (int rep = 0; rep < 3; rep++) {
      long[] one = new long[steps];
      long[] cpu = new long[steps];
      decode(model, seq, prompt, steps, one, cpu);
      System.arraycopy(one, 0, stepNanos, rep * steps, steps);
      System.arraycopy(cpu, 0, stepCpuNanos, rep * steps, steps);
    }
    java.util.Arrays.sort(stepNanos);
    java.util.Arrays.sort(stepCpuNanos);
    return new DecodeRate(
        1e9 / stepNanos[stepNanos.length / 2], 1e9 / stepCpuNanos[stepCpuNanos.length / 2]);
  }

  /**
   * On the model thread: decode speed, then block scoring ratios. The machine may be shared, so
   * every figure is a median (decode) or minimum (block ratios) over many repetitions rather than a
   * mean, and each block is timed right after a one-token step at the same position.
   */
  private static String measure(Model model, int tokens) {
    int vocab = model.config().vocabSize();
    int[] prompt = new int[PROMPT];
    for (int i = 0; i < PROMPT; i++) {
      prompt[i] = (i * 31 + 7) % vocab;
    }
    Sequence seq =
        model.newSequence(Math.min(model.config().maxPositionEmbeddings(), PROMPT + tokens + 16));
    int steps = Math.min(tokens, seq.capacity() - PROMPT - 9);
    DecodeRate rate = decodeRate(model, seq, prompt, tokens);
    long allocated = allocatedBytes();
    decode(model, seq, prompt, steps, new long[steps], new long[steps]);
    double bytesPerStep = (double) (allocatedBytes() - allocated) / steps;
    StringBuilder ratios = new StringBuilder();
    seq.truncate(0);
    model.prefill(seq, prompt);
    int[] single = {3};
    for (int k = 1; k <= 8; k++) {
      int[] block = new int[k];
      for (int i = 0; i < k; i++) {
        block[i] = (i * 17 + 3) % vocab;
      }
      long blockBest = Long.MAX_VALUE;
      long singleBest = Long.MAX_VALUE;
      for (int rep = 0; rep < 60; rep++) {
        singleBest = Math.min(singleBest, timeForward(model, seq, single));
        blockBest = Math.min(blockBest, timeForward(model, seq, block));
      }
      ratios.append(String.format(Locale.ROOT, " %.2f", (double) blockBest / singleBest));
    }
    return String.format(
        Locale.ROOT,
        "%9.1f %9.1f  %-40s  %6.0f B/step",
        rate.wall(),
        rate.cpu(),
        ratios.toString().trim(),
        bytesPerStep);
  }

  /** Nanoseconds of one forward of {@code tokens} at the current position, then rolled back. */
  private static long timeForward(Model model, Sequence seq, int[] tokens) {
    int length = seq.length();
    long t0 = System.nanoTime();
    model.forward(seq, tokens);
    long t = System.nanoTime() - t0;
    seq.truncate(length);
    return t;
  }

  /** Bytes allocated on the Java heap by this thread so far. */
  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  /**
   * Greedy decode of {@code steps} tokens after the prompt; each step's wall nanos into stepNanos
   * and its thread CPU nanos into cpuNanos (steadier than wall time on a shared machine).
   */
  private static void decode(
      Model model, Sequence seq, int[] prompt, int steps, long[] stepNanos, long[] cpuNanos) {
    var threads = ManagementFactory.getThreadMXBean();
    seq.truncate(0);
    Logits logits = model.prefill(seq, prompt);
    int[] one = new int[1];
    for (int i = 0; i < steps; i++) {
      long c0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      one[0] = SamplingTransform.argmax(logits.last());
      logits = model.forward(seq, one);
      stepNanos[i] = System.nanoTime() - t0;
      cpuNanos[i] = threads.getCurrentThreadCpuTime() - c0;
    }
  }

  private static long parameters(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      long bytes = 0;
      for (Path f : files.filter(p -> p.toString().endsWith(".safetensors")).toList()) {
        bytes += Files.size(f);
      }
      String config = Files.readString(dir.resolve("config.json"));
      int perParam = config.contains("float32") ? 4 : 2;
      return bytes / perParam;
    }
  }

  private static String memory() throws IOException {
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    String rss = "?";
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = line.substring(6).trim();
      }
    }
    return "rss " + rss.replace(" kB", "") + " kB, live heap " + heap + " MB";
  }
}
