package dev.tandem.speccore;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Runs a whole request through a {@link SpeculationLoop}, as the router would. */
final class Runs {

  private Runs() {}

  static CompletionStage<LoopResult> start(
      DraftProposer drafter,
      Verifier verifier,
      int[] prompt,
      SamplingParams params,
      DraftLengthChooser chooser,
      int maxTokens,
      TokenSink sink) {
    DraftSession draft = drafter.open(prompt, params);
    return verifier
        .open(prompt, params, prompt.length + maxTokens)
        .thenCompose(
            session ->
                SpeculationLoop.builder()
                    .draft(draft)
                    .verifier(session)
                    .sink(sink)
                    .chooser(chooser)
                    .maxTokens(maxTokens)
                    .build()
                    .start());
  }

  static LoopResult run(
      DraftProposer drafter,
      Verifier verifier,
      int[] prompt,
      SamplingParams params,
      DraftLengthChooser chooser,
      int maxTokens,
      TokenSink sink) {
    try {
      return start(drafter, verifier, prompt, params, chooser, maxTokens, sink)
          .toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("loop failed", e);
    }
  }
}
