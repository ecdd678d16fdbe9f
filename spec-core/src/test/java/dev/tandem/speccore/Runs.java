package dev.tandem.speccore;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a whole request through a {@link SpeculationLoop}, as the router would, with a fake clock
 * that advances {@value #TICK_NANOS} ns per reading: every propose and verify then measures exactly
 * one tick, so adaptive choices never depend on the machine's speed.
 */
final class Runs {

  static final long TICK_NANOS = 1000;

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
    AtomicLong clock = new AtomicLong();
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
                    .clock(() -> clock.addAndGet(TICK_NANOS))
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
