package dev.tandem.model;

import dev.tandem.model.format.ConfigReader;
import dev.tandem.speccore.SamplingParams;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Sampling defaults from Hugging Face {@code generation_config.json} (all optional; a missing file
 * means greedy). {@code do_sample=false} means greedy whatever the temperature says, as in HF.
 *
 * @param doSample sample instead of argmax
 * @param temperature HF default 1.0
 * @param topK HF default 50; 0 disables
 * @param topP HF default 1.0
 * @param eosTokenIds overrides config.json's eos ids when non-empty
 */
public record GenerationConfig(
    boolean doSample, float temperature, int topK, float topP, int[] eosTokenIds) {

  public static final GenerationConfig DEFAULT =
      new GenerationConfig(false, 1f, 50, 1f, new int[0]);

  public GenerationConfig {
    eosTokenIds = eosTokenIds.clone();
  }

  /** Reads {@code dir/generation_config.json}, or {@link #DEFAULT} when the file is absent. */
  public static GenerationConfig load(Path dir) throws IOException {
    return ConfigReader.generationConfig(dir.resolve("generation_config.json"));
  }

  /** These defaults as request sampling parameters with the given seed. */
  public SamplingParams samplingParams(long seed) {
    if (!doSample) {
      return SamplingParams.GREEDY;
    }
    return new SamplingParams(
        Math.min(temperature, SamplingParams.MAX_TEMPERATURE), topP, topK, seed);
  }

  @Override
  public int[] eosTokenIds() {
    return eosTokenIds.clone();
  }
}
