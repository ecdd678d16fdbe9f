package dev.tandem.router.cache;

import dev.tandem.model.Model;
import java.util.Arrays;

/**
 * Embeds a prompt as the draft model's mean-pooled final hidden states (one forward on the model
 * executor, on a fresh sequence), mean-centred by nothing and L2-normalised. Needs no download: it
 * runs the model the router already has for drafting. Measured against {@link HashedNgramEmbedder}
 * by {@code ./tandem bench cache}.
 *
 * <p>Threading: {@link #embed} blocks its (worker) thread until the model executor has run the
 * forward; thread-safe.
 */
public final class DraftModelEmbedder implements Embedder {

  private final Model model;

  public DraftModelEmbedder(Model model) {
    this.model = model;
  }

  @Override
  public String name() {
    return "draft-model-" + model.config().hiddenSize();
  }

  @Override
  public int dimension() {
    return model.config().hiddenSize();
  }

  @Override
  public float[] embed(String text) {
    int[] tokens = model.tokenizer().encode(text);
    int max = model.config().maxPositionEmbeddings();
    if (tokens.length == 0) {
      return new float[dimension()];
    }
    int[] kept = tokens.length > max ? Arrays.copyOf(tokens, max) : tokens;
    float[] mean = model.meanHiddenStateAsync(kept).join();
    double[] v = new double[mean.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = mean[i];
    }
    return Embedder.normalise(v);
  }
}
