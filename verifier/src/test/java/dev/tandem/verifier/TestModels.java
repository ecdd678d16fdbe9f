package dev.tandem.verifier;

import dev.tandem.model.Logits;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Sampler;
import dev.tandem.model.Sequence;
import dev.tandem.speccore.SamplingParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The model module's tiny test models (vocab 272, context 128), and plain decoding with the model
 * API: the reference a verifier backend must reproduce.
 */
final class TestModels {

  /** The verifier model of these tests. */
  static final String VERIFIER = "tiny-gqa-f32";

  /** A different model over the same vocabulary, used as a drafter that is often wrong. */
  static final String DRAFT = "tiny-mqa-bf16-tied";

  private TestModels() {}

  static Path dir(String name) {
    return Path.of("../model/src/test/resources/models", name);
  }

  static Model load(ModelRuntime runtime, String name) {
    try {
      return runtime.load(dir(name), ModelOptions.DEFAULT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The model's own decoding: prefill, then one token per forward, each chosen by a {@link Sampler}
   * seeded with {@code params.seed()} (argmax when greedy).
   */
  static int[] decode(Model model, int[] prompt, SamplingParams params, int n) {
    return model
        .runtime()
        .submit(
            () -> {
              Sampler sampler = new Sampler(params);
              Sequence seq = model.newSequence(prompt.length + n);
              int[] out = new int[n];
              Logits logits = model.prefill(seq, prompt);
              for (int i = 0; i < n; i++) {
                out[i] = sampler.sample(logits.last()).token();
                if (i + 1 < n) {
                  logits = model.forward(seq, new int[] {out[i]});
                }
              }
              return out;
            })
        .join();
  }

  /** A prompt of {@code length} tokens in 1..vocab-1, varied by {@code seed}. */
  static int[] prompt(int seed, int length) {
    int[] prompt = new int[length];
    for (int i = 0; i < length; i++) {
      prompt[i] = 1 + Math.floorMod(seed * 7919 + i * 104_729 + i * i * 31, 271);
    }
    return prompt;
  }
}
