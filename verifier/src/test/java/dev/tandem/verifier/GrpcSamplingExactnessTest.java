package dev.tandem.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Model;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Sequence;
import dev.tandem.speccore.ChiSquare;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SamplingTransform;
import dev.tandem.verifier.client.GrpcVerifier;
import dev.tandem.verifier.client.GrpcVerifierOptions;
import dev.tandem.verifier.engine.EngineOptions;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * With sampling, speculative decoding through the gRPC backend draws from the verifier model's own
 * distribution. Given one prompt and {@value #SAMPLES} sessions seeded 0..N-1 (temperature 1, top-k
 * 6), each generating 2 tokens with a different model drafting 1 token (so acceptance, rejection
 * with residual sampling, and bonus tokens all occur), the first token and the 2-token sequence
 * must follow the model's own sampling distribution (its logits through {@link SamplingTransform},
 * as its {@code Sampler} draws).
 *
 * <p>Pearson chi-square with p > 1e-4 (false failure rate 1e-4 per check; deterministic anyway,
 * since every generator is seeded). Power: with 20k samples, moving 2 percentage points of mass
 * between two cells of ~15% gives a noncentrality of ~100, so such a bias fails with probability
 * well above 0.99.
 */
class GrpcSamplingExactnessTest {

  private static final int SAMPLES = 20_000;
  private static final int IN_FLIGHT = 48;
  private static final int TOP_K = 6;
  private static final int[] PROMPT = {17, 42, 99, 3};

  @Test
  void firstTokenAndTwoTokenSequencesFollowTheVerifierModelsDistribution() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (ModelRuntime runtime = new ModelRuntime(1);
        ModelRuntime draftRuntime = new ModelRuntime(1);
        Model model = TestModels.load(runtime, TestModels.VERIFIER);
        Model draft = TestModels.load(draftRuntime, TestModels.DRAFT);
        ServerFixture server =
            new ServerFixture(vertx, model, EngineOptions.DEFAULTS.withMaxSessions(128));
        GrpcVerifier verifier =
            new GrpcVerifier(vertx, GrpcVerifierOptions.of("tiny", List.of(server.endpoint())))) {
      int vocab = model.config().vocabSize();
      float[] first = probabilities(model, PROMPT); // [vocab]
      float[][] second = new float[vocab][]; // [vocab][vocab], rows for first tokens that occur
      for (int t = 0; t < vocab; t++) {
        if (first[t] > 0) {
          int[] context = java.util.Arrays.copyOf(PROMPT, PROMPT.length + 1);
          context[PROMPT.length] = t;
          second[t] = probabilities(model, context);
        }
      }

      AtomicLongArray pairs = new AtomicLongArray(vocab * vocab);
      ModelDrafter drafter = new ModelDrafter(draft, 16);
      AtomicInteger next = new AtomicInteger();
      List<CompletableFuture<Void>> workers = new ArrayList<>();
      for (int w = 0; w < IN_FLIGHT; w++) {
        workers.add(worker(verifier, drafter, next, pairs));
      }
      workers.forEach(CompletableFuture::join);

      // First token: cells are the support of p1.
      List<Integer> support = new ArrayList<>();
      for (int t = 0; t < vocab; t++) {
        if (first[t] > 0) {
          support.add(t);
        }
      }
      long[] firstObserved = new long[support.size()];
      double[] firstExpected = new double[support.size()];
      long total = 0;
      for (int a = 0; a < vocab; a++) {
        for (int b = 0; b < vocab; b++) {
          long count = pairs.get(a * vocab + b);
          total += count;
          if (count > 0) {
            assertTrue(first[a] > 0 && second[a][b] > 0, "drew impossible sequence " + a + "," + b);
          }
        }
      }
      assertEquals(SAMPLES, total);
      List<long[]> pairObserved = new ArrayList<>();
      List<Double> pairExpected = new ArrayList<>();
      for (int i = 0; i < support.size(); i++) {
        int a = support.get(i);
        firstExpected[i] = first[a];
        for (int b = 0; b < vocab; b++) {
          firstObserved[i] += pairs.get(a * vocab + b);
          if (second[a][b] > 0) {
            pairObserved.add(new long[] {pairs.get(a * vocab + b)});
            pairExpected.add((double) first[a] * second[a][b]);
          }
        }
      }
      ChiSquare.Outcome firstOutcome = ChiSquare.test(firstObserved, firstExpected);
      ChiSquare.Outcome pairOutcome =
          ChiSquare.test(
              pairObserved.stream().mapToLong(c -> c[0]).toArray(), normalized(pairExpected));
      System.out.println("first token: " + firstOutcome + "; 2-token sequence: " + pairOutcome);
      assertTrue(firstOutcome.pValue() > 1e-4, "first token: " + firstOutcome);
      assertTrue(pairOutcome.pValue() > 1e-4, "2-token sequence: " + pairOutcome);
      assertEquals(0, server.awaitNoSessions());
    } finally {
      vertx.close().await();
    }
  }

  /** Runs sessions one after another, taking seeds from {@code next} until SAMPLES are done. */
  private static CompletableFuture<Void> worker(
      GrpcVerifier verifier, ModelDrafter drafter, AtomicInteger next, AtomicLongArray pairs) {
    int seed = next.getAndIncrement();
    if (seed >= SAMPLES) {
      return CompletableFuture.completedFuture(null);
    }
    SamplingParams params = new SamplingParams(1f, 1f, TOP_K, seed);
    int vocab = (int) Math.round(Math.sqrt(pairs.length()));
    return Speculate.generate(verifier, drafter, PROMPT, params, 1, 2)
        .toCompletableFuture()
        .thenCompose(
            tokens -> {
              pairs.incrementAndGet(tokens[0] * vocab + tokens[1]);
              return worker(verifier, drafter, next, pairs);
            });
  }

  /** The model's sampling distribution after {@code prompt}. */
  private static float[] probabilities(Model model, int[] prompt) {
    SamplingParams params = new SamplingParams(1f, 1f, TOP_K, 0);
    return model
        .runtime()
        .submit(
            () -> {
              Sequence seq = model.newSequence(prompt.length);
              float[] logits = model.prefill(seq, prompt).last();
              return SamplingTransform.probabilities(logits, params);
            })
        .join();
  }

  private static double[] normalized(List<Double> values) {
    double sum = values.stream().mapToDouble(Double::doubleValue).sum();
    return values.stream().mapToDouble(v -> v / sum).toArray();
  }
}
