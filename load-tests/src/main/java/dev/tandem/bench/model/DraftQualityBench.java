package dev.tandem.bench.model;

import dev.tandem.model.Logits;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Sequence;
import dev.tandem.model.Tokenizer;
import dev.tandem.speccore.SamplingTransform;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What quantizing the drafter costs in quality, per workload ({@code fixtures/workloads}, cut from
 * the corpus' held-out split), measured like {@code tools/fixtures/measure_acceptance.py} does for
 * MODELS.md: the verifier's greedy continuation of each line (up to max_tokens, EOS or position
 * 512) is the output; α is the share of its positions where the drafter's greedy token, given the
 * verifier's prefix, is the verifier's token; tokens per verifier call at k = 1..8 come from
 * simulating greedy speculation on those matches. Perplexity is the drafter's on the lines' prompt
 * tokens. Every drafter format sees the same verifier outputs.
 *
 * <p>Runs on the model runtime's one thread.
 */
final class DraftQualityBench {
  private static final int KMAX = 8;

  private final ModelRuntime runtime;
  private final PrintStream out;

  DraftQualityBench(ModelRuntime runtime, PrintStream out) {
    this.runtime = runtime;
    this.out = out;
  }

  /** One line: prompt ids (with BOS) and the verifier's greedy continuation. */
  private record Line(int[] prompt, int[] reference) {}

  void run(
      Path verifierDir,
      Path draftDir,
      Path workloads,
      List<String> names,
      List<WeightFormat> formats)
      throws IOException {
    out.printf(
        Locale.ROOT,
        "%nDrafter %s vs verifier %s (BF16), load average %s%n",
        draftDir,
        verifierDir,
        QuantSpeedBench.loadAverage());
    out.println("| workload | drafter | α | tokens per verifier call, k = 1..8 | prompt ppl |");
    out.println("|---|---|---|---|---|");
    try (Model verifier = runtime.load(verifierDir, ModelOptions.DEFAULT)) {
      for (String name : names) {
        List<Line> lines =
            runtime.submit(() -> references(verifier, workloads.resolve(name + ".jsonl"))).join();
        for (WeightFormat f : formats) {
          try (Model draft = runtime.load(draftDir, f.options)) {
            out.println(runtime.submit(() -> row(name, f, draft, lines)).join());
          }
        }
      }
    }
  }

  private static List<Line> references(Model verifier, Path file) throws IOException {
    Tokenizer tok = verifier.tokenizer();
    int maxPos = verifier.config().maxPositionEmbeddings();
    List<Line> lines = new ArrayList<>();
    for (String text : Files.readAllLines(file)) {
      if (text.isBlank()) {
        continue;
      }
      JsonObject line = new JsonObject(text);
      int[] body = tok.encode(promptText(line));
      int[] prompt = new int[body.length + 1];
      System.arraycopy(body, 0, prompt, 1, body.length); // BOS = 0
      int room = Math.min(line.getInteger("max_tokens", 64), maxPos - prompt.length);
      Sequence seq = verifier.newSequence(maxPos);
      float[] last = verifier.prefill(seq, prompt).last();
      List<Integer> ref = new ArrayList<>();
      int[] one = new int[1];
      while (ref.size() < room) {
        one[0] = SamplingTransform.argmax(last);
        ref.add(one[0]);
        if (one[0] == 0 || seq.length() >= maxPos) {
          break;
        }
        last = verifier.forward(seq, one).last();
      }
      lines.add(new Line(prompt, ref.stream().mapToInt(Integer::intValue).toArray()));
    }
    return lines;
  }

  private static String promptText(JsonObject line) {
    if (line.containsKey("prompt")) {
      return line.getString("prompt");
    }
    StringBuilder s = new StringBuilder();
    JsonArray messages = line.getJsonArray("messages");
    for (int i = 0; i < messages.size(); i++) {
      JsonObject m = messages.getJsonObject(i);
      String role = m.getString("role");
      s.append(Character.toUpperCase(role.charAt(0))).append(role.substring(1));
      s.append(": ").append(m.getString("content")).append("\n\n");
    }
    return s.append("Assistant:").toString();
  }

  private static String row(String workload, WeightFormat f, Model draft, List<Line> lines) {
    long agree = 0;
    long positions = 0;
    double nll = 0;
    long promptTokens = 0;
    long[] calls = new long[KMAX + 1];
    for (Line line : lines) {
      int[] all = new int[line.prompt.length + line.reference.length];
      System.arraycopy(line.prompt, 0, all, 0, line.prompt.length);
      System.arraycopy(line.reference, 0, all, line.prompt.length, line.reference.length);
      Sequence seq = draft.newSequence(all.length);
      Logits logits = draft.forward(seq, all); // [all.length, vocab]
      int l = line.prompt.length;
      int n = line.reference.length;
      for (int i = 0; i + 1 < l; i++) {
        nll -= logSoftmax(logits.row(i), line.prompt[i + 1]);
        promptTokens++;
      }
      int[] match = new int[n + 1];
      boolean[] ok = new boolean[n];
      for (int j = 0; j < n; j++) {
        ok[j] = SamplingTransform.argmax(logits.row(l - 1 + j)) == line.reference[j];
        agree += ok[j] ? 1 : 0;
      }
      for (int j = n - 1; j >= 0; j--) {
        match[j] = ok[j] ? Math.min(KMAX, match[j + 1] + 1) : 0;
      }
      positions += n;
      for (int k = 1; k <= KMAX; k++) {
        calls[k] += simulate(match, n, k);
      }
    }
    StringBuilder perK = new StringBuilder();
    for (int k = 1; k <= KMAX; k++) {
      perK.append(
          String.format(Locale.ROOT, "%s%.2f", k > 1 ? " " : "", (double) positions / calls[k]));
    }
    return String.format(
        Locale.ROOT,
        "| %s | %s | %.3f | %s | %.2f |",
        workload,
        f.label(),
        (double) agree / positions,
        perK,
        Math.exp(nll / promptTokens));
  }

  /** Verifier calls to produce n tokens when the drafter's next match[p] tokens are right at p. */
  private static long simulate(int[] match, int n, int k) {
    long calls = 0;
    int p = 0;
    while (p < n) {
      int keff = Math.min(k, n - p - 1);
      p += Math.min(match[p], keff) + 1;
      calls++;
    }
    return calls;
  }

  private static double logSoftmax(float[] row, int target) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : row) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : row) {
      sum += Math.exp(v - max);
    }
    return row[target] - max - Math.log(sum);
  }
}
