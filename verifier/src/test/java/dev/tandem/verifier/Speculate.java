package dev.tandem.verifier;

import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.FixedDraftLength;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SinkSignal;
import dev.tandem.speccore.SpeculationLoop;
import dev.tandem.speccore.Verifier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/** Runs one request's speculative decoding through a {@link Verifier} and collects its tokens. */
final class Speculate {

  private Speculate() {}

  /**
   * @param k draft length per step
   * @param maxTokens tokens to generate (the session holds prompt + maxTokens)
   */
  static CompletionStage<int[]> generate(
      Verifier verifier,
      DraftProposer drafter,
      int[] prompt,
      SamplingParams params,
      int k,
      int maxTokens) {
    return generate(
        verifier,
        drafter,
        prompt,
        params,
        k,
        maxTokens,
        () -> CompletableFuture.completedFuture(null));
  }

  /**
   * @param onStep called after each step's tokens arrived (on the loop's thread, must not block);
   *     the loop continues when its stage completes
   */
  static CompletionStage<int[]> generate(
      Verifier verifier,
      DraftProposer drafter,
      int[] prompt,
      SamplingParams params,
      int k,
      int maxTokens,
      Supplier<CompletionStage<?>> onStep) {
    return verifier
        .open(prompt, params, prompt.length + maxTokens)
        .thenCompose(
            session -> {
              IntStream.Builder out = IntStream.builder();
              SpeculationLoop loop =
                  SpeculationLoop.builder()
                      .draft(drafter.open(prompt, params))
                      .verifier(session)
                      .chooser(new FixedDraftLength(k))
                      .maxTokens(maxTokens)
                      .sink(
                          tokens -> {
                            for (int token : tokens) {
                              out.add(token);
                            }
                            return onStep.get().thenApply(v -> SinkSignal.CONTINUE);
                          })
                      .build();
              return loop.start().thenApply(result -> out.build().toArray());
            });
  }
}
