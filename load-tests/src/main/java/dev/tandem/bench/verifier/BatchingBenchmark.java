package dev.tandem.bench.verifier;

import dev.tandem.model.Backend;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Sampler;
import dev.tandem.model.Sequence;
import dev.tandem.speccore.FixedDraftLength;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SinkSignal;
import dev.tandem.speccore.SpeculationLoop;
import dev.tandem.verifier.InProcessVerifier;
import dev.tandem.verifier.engine.BatchStats;
import dev.tandem.verifier.engine.EngineOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verifier batching benchmark (not a test): aggregate verified tokens/s of N sessions served
 * concurrently (continuous batching coalesces their verifies into shared forwards) against the same
 * sessions served one at a time, on the same engine and model in one run. The drafter replays the
 * verifier's greedy output with 30% of draft tokens made wrong, so drafting costs nothing and both
 * rejections and bonus tokens occur.
 *
 * <p>Usage: {@code BatchingBenchmark [--model DIR] [--sessions 8,32] [--tokens N] [--k 0,1,4]
 * [--model-batch-rows 64] [--model-threads 1]}: with 2 model threads two batched forwards (over
 * different sessions) run at once, while one session at a time can use only one. Default model:
 * {@code fixtures/models/tandem-verifier} if present, else the tiny test model.
 */
public final class BatchingBenchmark {

  private static final int ROUNDS = 3;

  private BatchingBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path model = defaultModel();
    int[] sessionCounts = {8, 32};
    int tokens = 64;
    int[] ks = {0, 1, 4};
    int modelRows = ModelOptions.DEFAULT.maxBatchRows();
    int modelThreads = 1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--model" -> model = Path.of(args[i + 1]);
        case "--sessions" ->
            sessionCounts =
                java.util.Arrays.stream(args[i + 1].split(","))
                    .mapToInt(Integer::parseInt)
                    .toArray();
        case "--tokens" -> tokens = Integer.parseInt(args[i + 1]);
        case "--model-batch-rows" -> modelRows = Integer.parseInt(args[i + 1]);
        case "--model-threads" -> modelThreads = Integer.parseInt(args[i + 1]);
        case "--k" ->
            ks =
                java.util.Arrays.stream(args[i + 1].split(","))
                    .mapToInt(Integer::parseInt)
                    .toArray();
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    try (ModelRuntime runtime = new ModelRuntime(modelThreads);
        Model loaded =
            runtime.load(
                model,
                new ModelOptions(
                    Backend.AUTO, modelRows, ModelOptions.DEFAULT.widenBf16AtLoad()))) {
      int promptLength = 16;
      tokens =
          Math.min(
              tokens,
              loaded.config().maxPositionEmbeddings()
                  - promptLength
                  - dev.tandem.speccore.DraftBlock.MAX_DRAFT
                  - 1);
      System.out.printf(
          "model=%s prompt=%d tokens/session=%d model-batch-rows=%d model-threads=%d"
              + " drafter=replay(30%% wrong)%n",
          model, promptLength, tokens, modelRows, modelThreads);
      for (int k : ks) {
        for (int sessions : sessionCounts) {
          run(loaded, sessions, promptLength, tokens, k);
        }
      }
    }
  }

  private static void run(Model model, int sessions, int promptLength, int tokens, int k) {
    int vocab = model.config().vocabSize();
    List<int[]> prompts = prompts(sessions, promptLength, vocab);
    List<int[]> continuations = new ArrayList<>();
    for (int[] prompt : prompts) {
      continuations.add(greedy(model, prompt, tokens + k + 1));
    }
    EngineOptions options = EngineOptions.DEFAULTS.withMaxSessions(Math.max(64, sessions));
    try (InProcessVerifier verifier = new InProcessVerifier("bench", model, options)) {
      // Warm-up: both modes once, so the JIT has compiled both paths before timing.
      runAll(verifier, vocab, prompts, continuations, tokens, k, false);
      runAll(verifier, vocab, prompts, continuations, tokens, k, true);
      double sequentialRate = 0;
      double concurrentRate = 0;
      double sequentialPerBatch = 0;
      double concurrentPerBatch = 0;
      for (int round = 0; round < ROUNDS; round++) {
        BatchStats before = verifier.engine().batchStats();
        long t0 = System.nanoTime();
        long sequentialTokens = runAll(verifier, vocab, prompts, continuations, tokens, k, false);
        double sequentialSeconds = (System.nanoTime() - t0) / 1e9;
        BatchStats middle = verifier.engine().batchStats();
        long t1 = System.nanoTime();
        long concurrentTokens = runAll(verifier, vocab, prompts, continuations, tokens, k, true);
        double concurrentSeconds = (System.nanoTime() - t1) / 1e9;
        BatchStats after = verifier.engine().batchStats();
        // Best of the rounds: the machine is shared, interference only slows a round down.
        sequentialRate = Math.max(sequentialRate, sequentialTokens / sequentialSeconds);
        concurrentRate = Math.max(concurrentRate, concurrentTokens / concurrentSeconds);
        sequentialPerBatch = perBatch(before, middle);
        concurrentPerBatch = perBatch(middle, after);
      }
      System.out.printf(
          "k=%d sessions=%d one-at-a-time: %.0f tok/s (%.2f calls/forward) | concurrent: %.0f tok/s"
              + " (%.2f calls/forward) | speedup %.2fx%n",
          k,
          sessions,
          sequentialRate,
          sequentialPerBatch,
          concurrentRate,
          concurrentPerBatch,
          concurrentRate / sequentialRate);
    }
  }

  private static double perBatch(BatchStats from, BatchStats to) {
    return (double) (to.items() - from.items()) / Math.max(1, to.batches() - from.batches());
  }

  /** Runs every session, all at once or one after another; returns the tokens generated. */
  private static long runAll(
      InProcessVerifier verifier,
      int vocab,
      List<int[]> prompts,
      List<int[]> continuations,
      int tokens,
      int k,
      boolean concurrent) {
    AtomicLong generated = new AtomicLong();
    List<CompletableFuture<?>> runs = new ArrayList<>();
    for (int s = 0; s < prompts.size(); s++) {
      int[] prompt = prompts.get(s);
      ReplayDrafter drafter = new ReplayDrafter(continuations.get(s), 0.3, vocab);
      CompletableFuture<?> run =
          verifier
              .open(prompt, SamplingParams.GREEDY, prompt.length + tokens)
              .thenCompose(
                  session ->
                      SpeculationLoop.builder()
                          .draft(drafter.open(prompt, SamplingParams.GREEDY))
                          .verifier(session)
                          .chooser(new FixedDraftLength(k))
                          .maxTokens(tokens)
                          .sink(
                              emitted -> {
                                generated.addAndGet(emitted.length);
                                return CompletableFuture.completedFuture(SinkSignal.CONTINUE);
                              })
                          .build()
                          .start())
              .toCompletableFuture();
      if (concurrent) {
        runs.add(run);
      } else {
        run.join();
      }
    }
    runs.forEach(CompletableFuture::join);
    return generated.get();
  }

  private static int[] greedy(Model model, int[] prompt, int n) {
    return model
        .runtime()
        .submit(
            () -> {
              Sampler sampler = new Sampler(SamplingParams.GREEDY);
              Sequence seq = model.newSequence(prompt.length + n);
              int[] out = new int[n];
              float[] logits = model.prefill(seq, prompt).last();
              for (int i = 0; i < n; i++) {
                out[i] = sampler.sample(logits).token();
                logits = model.forward(seq, new int[] {out[i]}).last();
              }
              return out;
            })
        .join();
  }

  /** {@code count} distinct deterministic prompts of pseudo-random ids in 1..vocab-1. */
  static List<int[]> prompts(int count, int length, int vocab) {
    List<int[]> prompts = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      int[] prompt = new int[length];
      for (int i = 0; i < length; i++) {
        prompt[i] = 1 + Math.floorMod(s * 7919 + i * 104_729 + i * i * 31, vocab - 1);
      }
      prompts.add(prompt);
    }
    return prompts;
  }

  /** The fixture verifier when present (run from the root or a module), else the tiny model. */
  static Path defaultModel() {
    for (Path candidate :
        List.of(
            Path.of("fixtures/models/tandem-verifier"),
            Path.of("../fixtures/models/tandem-verifier"),
            Path.of("model/src/test/resources/models/tiny-gqa-f32"),
            Path.of("../model/src/test/resources/models/tiny-gqa-f32"))) {
      if (Files.exists(candidate.resolve("config.json"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no model found: pass --model DIR");
  }
}
