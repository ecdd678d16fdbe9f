package dev.tandem.model.bench;

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
 * backend: greedy decode tokens/s at batch 1 (after a 16-token prompt), and the cost of scoring a
 * block of k = 1..8 tokens in one forward relative to one decode step; then resident memory.
 *
 * <pre>
 * mvn -q -pl model -am install -DskipTests
 * mvn -q -pl model exec:exec -Dbench.args="DIR... [--backends vector,nd4j] [--tokens 128]"
 * </pre>
 *
 * (see BENCHMARKS.md for the plain java command). Single model thread; kernels are single-threaded.
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
        "%-28s %-20s %9s %9s  %s%n",
        "model",
        "backend",
        "params(M)",
        "decode/s",
        "score k=1..8 / one decode step");
    try (ModelRuntime runtime = new ModelRuntime(1)) {
      for (Path dir : dirs) {
        for (String backend : backends) {
          run(runtime, dir, backend, tokens);
        }
      }
    }
    System.out.printf(Locale.ROOT, "resident memory: %s%n", memory());
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
          "%-28s %-20s %9.2f %s%n",
          dir.getFileName(),
          backend,
          parameters(dir) / 1e6,
          result);
    }
  }

  /** On the model thread: decode speed, then block scoring ratios. */
  private static String measure(Model model, int tokens) {
    int vocab = model.config().vocabSize();
    int[] prompt = new int[PROMPT];
    for (int i = 0; i < PROMPT; i++) {
      prompt[i] = (i * 31 + 7) % vocab;
    }
    Sequence seq =
        model.newSequence(Math.min(model.config().maxPositionEmbeddings(), PROMPT + tokens + 16));
    int steps = Math.min(tokens, seq.capacity() - PROMPT - 9);
    decode(model, seq, prompt, steps); // warm-up
    decode(model, seq, prompt, steps);
    long best = Long.MAX_VALUE;
    for (int rep = 0; rep < 3; rep++) {
      best = Math.min(best, decode(model, seq, prompt, steps));
    }
    double stepNanos = (double) best / steps;
    StringBuilder ratios = new StringBuilder();
    seq.truncate(0);
    model.prefill(seq, prompt);
    for (int k = 1; k <= 8; k++) {
      int[] block = new int[k];
      for (int i = 0; i < k; i++) {
        block[i] = (i * 17 + 3) % vocab;
      }
      long blockBest = Long.MAX_VALUE;
      for (int rep = 0; rep < Math.max(5, 200 / k); rep++) {
        long t0 = System.nanoTime();
        model.forward(seq, block);
        blockBest = Math.min(blockBest, System.nanoTime() - t0);
        seq.truncate(PROMPT);
      }
      ratios.append(String.format(Locale.ROOT, " %.2f", blockBest / stepNanos));
    }
    return String.format(Locale.ROOT, "%9.1f  %s", 1e9 / stepNanos, ratios.toString().trim());
  }

  /** Greedy decode of {@code steps} tokens after the prompt; returns the decode-phase nanos. */
  private static long decode(Model model, Sequence seq, int[] prompt, int steps) {
    seq.truncate(0);
    Logits logits = model.prefill(seq, prompt);
    int[] one = new int[1];
    long t0 = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      one[0] = SamplingTransform.argmax(logits.last());
      logits = model.forward(seq, one);
    }
    return System.nanoTime() - t0;
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
    return "VmRSS " + rss + ", Java heap used " + heap + " MB";
  }
}
