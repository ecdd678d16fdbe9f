package dev.tandem.bench.model;

import dev.tandem.model.Logits;
import dev.tandem.model.Model;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Sequence;
import dev.tandem.speccore.SamplingTransform;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Decode speed per weight format on one model, all formats loaded at once and measured in turns (so
 * drift on a shared machine hits every format alike and the ratios to BF16 come from one run):
 * batch-1 greedy decode tokens/s (1 / median step time, wall and thread CPU), the time to score a
 * block of k + 1 tokens (k = 1..8 drafts and the bonus row) in one forward relative to one decode
 * step, resident memory added by loading the model in that format, and against BF16: the max abs
 * logit difference over a 16-token prompt and how many of 32 greedy tokens agree.
 *
 * <p>Runs on the model runtime's one thread; kernels are single-threaded.
 */
final class QuantSpeedBench {
  private static final int PROMPT = 16;
  private static final int GREEDY = 32;

  private final ModelRuntime runtime;
  private final PrintStream out;

  QuantSpeedBench(ModelRuntime runtime, PrintStream out) {
    this.runtime = runtime;
    this.out = out;
  }

  /** One loaded format with its measurements. */
  private static final class Variant {
    final WeightFormat format;
    final Model model;
    final long rssKb;
    final List<Long> wall = new ArrayList<>();
    final List<Long> cpu = new ArrayList<>();
    final long[] blockBest = new long[9]; // [k] for k + 1 rows; [0] one decode step
    float[] promptLogits;
    int[] greedy;

    Variant(WeightFormat format, Model model, long rssKb) {
      this.format = format;
      this.model = model;
      this.rssKb = rssKb;
      Arrays.fill(blockBest, Long.MAX_VALUE);
    }
  }

  void run(Path dir, List<WeightFormat> formats, int rounds) throws IOException {
    List<Variant> variants = new ArrayList<>();
    // The first load and warm-up also grow the JVM's own memory (the compiler's arenas and code
    // cache as the kernels compile): load one format and drop it before measuring any.
    try (Model first = runtime.load(dir, formats.get(0).options)) {
      runtime.submit(() -> warmUp(first)).join();
    }
    try {
      for (WeightFormat f : formats) {
        long before = offHeapRssKb();
        Model model = runtime.load(dir, f.options);
        runtime.submit(() -> warmUp(model)).join();
        variants.add(new Variant(f, model, offHeapRssKb() - before));
      }
      for (Variant v : variants) {
        runtime.submit(() -> reference(v)).join();
      }
      long warmUntil = System.nanoTime() + 3_000_000_000L;
      while (System.nanoTime() < warmUntil) { // JIT: every kernel compiled before timing
        for (Variant v : variants) {
          runtime.submit(() -> decode(v, 8, false)).join();
        }
      }
      for (int r = 0; r < rounds; r++) {
        for (Variant v : variants) {
          runtime.submit(() -> decode(v, 32, true)).join();
          runtime.submit(() -> blocks(v)).join();
        }
      }
      report(dir, variants);
    } finally {
      for (Variant v : variants) {
        v.model.close();
      }
    }
  }

  /** One prefill: every weight page is touched before memory is read. */
  private static Void warmUp(Model model) {
    Sequence seq = model.newSequence(PROMPT + 8);
    model.prefill(seq, prompt(model));
    return null;
  }

  /** Prompt logits and greedy tokens, to compare formats with BF16. */
  private static Void reference(Variant v) {
    Model m = v.model;
    Sequence seq = m.newSequence(PROMPT + GREEDY + 1);
    Logits logits = m.forward(seq, prompt(m));
    v.promptLogits = logits.data();
    v.greedy = new int[GREEDY];
    int[] one = new int[1];
    float[] last = logits.last();
    for (int i = 0; i < GREEDY; i++) {
      one[0] = SamplingTransform.argmax(last);
      v.greedy[i] = one[0];
      last = m.forward(seq, one).last();
    }
    return null;
  }

  private static Void decode(Variant v, int steps, boolean record) {
    Model m = v.model;
    var threads = ManagementFactory.getThreadMXBean();
    Sequence seq = m.newSequence(PROMPT + steps + 1);
    float[] last = m.prefill(seq, prompt(m)).last();
    int[] one = new int[1];
    for (int i = 0; i < steps; i++) {
      long c0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      one[0] = SamplingTransform.argmax(last);
      last = m.forward(seq, one).last();
      if (record) {
        v.wall.add(System.nanoTime() - t0);
        v.cpu.add(threads.getCurrentThreadCpuTime() - c0);
      }
    }
    return null;
  }

  /** Best-of times of one forward of 1 row and of k + 1 rows at position PROMPT. */
  private static Void blocks(Variant v) {
    Model m = v.model;
    int vocab = m.config().vocabSize();
    Sequence seq = m.newSequence(PROMPT + 10);
    m.prefill(seq, prompt(m));
    for (int k = 0; k <= 8; k++) {
      int[] block = new int[k + 1];
      for (int i = 0; i <= k; i++) {
        block[i] = (i * 17 + 3) % vocab;
      }
      for (int rep = 0; rep < 5; rep++) {
        long t0 = System.nanoTime();
        m.forward(seq, block);
        v.blockBest[k] = Math.min(v.blockBest[k], System.nanoTime() - t0);
        seq.truncate(PROMPT);
      }
    }
    return null;
  }

  private void report(Path dir, List<Variant> variants) {
    Variant bf16 =
        variants.stream().filter(v -> v.format == WeightFormat.BF16).findFirst().orElse(null);
    double bf16Rate = bf16 == null ? Double.NaN : 1e9 / median(bf16.wall);
    out.printf(
        Locale.ROOT,
        "%n%s (%.1f M parameters), load average %s%n",
        dir,
        parameters(variants.get(0).model) / 1e6,
        loadAverage());
    out.println(
        "| format | decode tok/s | per CPU-s | × BF16 | score k+1 rows, k = 1..8, × one step"
            + " | RSS added (MB) | max abs logit diff vs BF16 | greedy = BF16 (of 32) |");
    out.println("|---|---|---|---|---|---|---|---|");
    for (Variant v : variants) {
      double rate = 1e9 / median(v.wall);
      StringBuilder ratios = new StringBuilder();
      for (int k = 1; k <= 8; k++) {
        ratios.append(
            String.format(
                Locale.ROOT, "%s%.2f", k > 1 ? " " : "", (double) v.blockBest[k] / v.blockBest[0]));
      }
      out.printf(
          Locale.ROOT,
          "| %s | %.1f | %.1f | %.2f | %s | %.0f | %s | %s |%n",
          v.format.label(),
          rate,
          1e9 / median(v.cpu),
          rate / bf16Rate,
          ratios,
          v.rssKb / 1024.0,
          bf16 == null
              ? "-"
              : String.format(Locale.ROOT, "%.4f", maxAbsDiff(v.promptLogits, bf16.promptLogits)),
          bf16 == null ? "-" : Integer.toString(samePrefix(v.greedy, bf16.greedy)));
    }
  }

  private static int[] prompt(Model m) {
    int[] p = new int[PROMPT];
    for (int i = 0; i < PROMPT; i++) {
      p[i] = (i * 31 + 7) % m.config().vocabSize();
    }
    return p;
  }

  private static double median(List<Long> values) {
    long[] a = values.stream().mapToLong(Long::longValue).sorted().toArray();
    return a[a.length / 2];
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  private static int samePrefix(int[] a, int[] b) {
    int i = 0;
    while (i < a.length && a[i] == b[i]) {
      i++;
    }
    return i;
  }

  private static long parameters(Model m) {
    var c = m.config();
    long d = c.hiddenSize();
    long perLayer = d * c.qDim() * 2 + d * c.kvDim() * 2 + 3 * d * c.intermediateSize() + 2 * d;
    return c.numLayers() * perLayer + (c.tieWordEmbeddings() ? 1 : 2) * d * c.vocabSize() + d;
  }

  /**
   * Resident memory outside the Java heap: RSS less the heap's committed size. Loading (quantizing,
   * warming up) grows the heap by hundreds of MB on the 91 M model, which plain RSS charged to
   * whichever format was loaded first (q4 first: 431 MB "added", about 61 MB of it weights).
   */
  static long offHeapRssKb() {
    return rssKb() - ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
  }

  static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).replace("kB", "").trim());
        }
      }
    } catch (IOException e) {
      // not Linux: memory column shows 0
    }
    return 0;
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }
}
