package dev.tandem.verifier.openai;

import dev.tandem.model.Logits;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Sequence;
import dev.tandem.speccore.DraftLengthChooser;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.LoopResult;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SinkSignal;
import dev.tandem.speccore.SpeculationLoop;
import dev.tandem.speccore.Verifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The model module's tiny test models (vocab 272, context 128, EOS 0), the reference decoding a
 * verifier must reproduce, and one request's speculative decoding through a {@link Verifier}.
 */
final class OpenAiTestSupport {

  /** The server's model. */
  static final String SERVER_MODEL = "tiny-gqa-f32";

  /** A different model over the same vocabulary: a drafter that is mostly wrong. */
  static final String OTHER_MODEL = "tiny-mqa-bf16-tied";

  /** The models' end-of-sequence token. */
  static final int EOS = 0;

  /** What a speculative run produced. */
  record Run(int[] tokens, LoopResult result) {}

  private OpenAiTestSupport() {}

  static Model load(ModelRuntime runtime, String name) {
    try {
      return runtime.load(
          Path.of("../model/src/test/resources/models", name), ModelOptions.DEFAULT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A prompt of {@code length} tokens in 1..271, varied by {@code seed}. */
  static int[] prompt(int seed, int length) {
    int[] prompt = new int[length];
    for (int i = 0; i < length; i++) {
      prompt[i] = 1 + Math.floorMod(seed * 7919 + i * 104_729 + i * i * 31, 271);
    }
    return prompt;
  }

  /** The model's own greedy decoding, one token per forward, up to n tokens or before EOS. */
  static int[] greedyDecode(Model model, int[] prompt, int n) {
    return model
        .runtime()
        .submit(
            () -> {
              Sequence seq = model.newSequence(prompt.length + n);
              IntStream.Builder out = IntStream.builder();
              Logits logits = model.prefill(seq, prompt);
              for (int i = 0; i < n; i++) {
                int token = logits.argmax(0);
                if (token == EOS) {
                  break;
                }
                out.add(token);
                logits = model.prefill(seq, new int[] {token});
              }
              return out.build().toArray();
            })
        .join();
  }

  /** Opens a session and runs a {@link SpeculationLoop} with a fixed draft length to the end. */
  static CompletionStage<Run> speculate(
      Verifier verifier,
      DraftProposer drafter,
      int[] prompt,
      SamplingParams params,
      int k,
      int maxTokens) {
    return verifier
        .open(prompt, params, prompt.length + maxTokens)
        .thenCompose(
            session -> {
              IntStream.Builder out = IntStream.builder();
              return SpeculationLoop.builder()
                  .draft(drafter.open(prompt, params))
                  .verifier(session)
                  .chooser(DraftLengthChooser.fixed(k))
                  .maxTokens(maxTokens)
                  .eosTokens(EOS)
                  .sink(
                      tokens -> {
                        IntStream.of(tokens).forEach(out::add);
                        return CompletableFuture.completedFuture(SinkSignal.CONTINUE);
                      })
                  .build()
                  .start()
                  .thenApply(result -> new Run(out.build().toArray(), result));
            });
  }

  /** Waits for a stage (10 s at most) and returns its value. */
  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("stage did not complete normally", e);
    }
  }

  /** Waits for a stage (10 s at most) that must fail, and returns its cause, unwrapped. */
  static Throwable failure(CompletionStage<?> stage) {
    try {
      Object value = stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      return cause;
    } catch (Exception e) {
      throw new AssertionError("stage did not complete", e);
    }
  }
}
