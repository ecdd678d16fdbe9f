package dev.tandem.model;

import dev.tandem.model.kernel.Kernels;
import dev.tandem.model.kernel.TensorData;
import dev.tandem.model.kernel.Weight;
import java.util.Arrays;
import java.util.Map;

/**
 * The LLaMA weights bound to a backend, by their Hugging Face names, each shape-checked against the
 * config. Tied embeddings reuse the embedding table as the output head.
 */
record ModelWeights(Weight embedTokens, Layer[] layers, Weight finalNorm, Weight lmHead) {

  /** One transformer block's weights. Linear weights are {@code [out, in]}. */
  record Layer(
      Weight attnNorm, // [dim]
      Weight wq, // [nHeads * headDim, dim]
      Weight wk, // [nKvHeads * headDim, dim]
      Weight wv, // [nKvHeads * headDim, dim]
      Weight wo, // [dim, nHeads * headDim]
      Weight ffnNorm, // [dim]
      Weight wGate, // [ffn, dim]
      Weight wUp, // [ffn, dim]
      Weight wDown) {} // [dim, ffn]

  /**
   * @throws IllegalArgumentException naming the tensor and both shapes when one is missing or has
   *     the wrong shape
   */
  static ModelWeights bind(ModelConfig c, Map<String, TensorData> tensors, Kernels kernels) {
    Binder b = new Binder(tensors, kernels);
    int dim = c.hiddenSize();
    Layer[] layers = new Layer[c.numLayers()];
    for (int i = 0; i < layers.length; i++) {
      String p = "model.layers." + i + ".";
      layers[i] =
          new Layer(
              b.get(p + "input_layernorm.weight", dim),
              b.get(p + "self_attn.q_proj.weight", c.qDim(), dim),
              b.get(p + "self_attn.k_proj.weight", c.kvDim(), dim),
              b.get(p + "self_attn.v_proj.weight", c.kvDim(), dim),
              b.get(p + "self_attn.o_proj.weight", dim, c.qDim()),
              b.get(p + "post_attention_layernorm.weight", dim),
              b.get(p + "mlp.gate_proj.weight", c.intermediateSize(), dim),
              b.get(p + "mlp.up_proj.weight", c.intermediateSize(), dim),
              b.get(p + "mlp.down_proj.weight", dim, c.intermediateSize()));
    }
    Weight embed = b.get("model.embed_tokens.weight", c.vocabSize(), dim);
    Weight head =
        c.tieWordEmbeddings() || !tensors.containsKey("lm_head.weight")
            ? tiedHead(c, embed)
            : b.get("lm_head.weight", c.vocabSize(), dim);
    return new ModelWeights(embed, layers, b.get("model.norm.weight", dim), head);
  }

  private static Weight tiedHead(ModelConfig c, Weight embed) {
    if (!c.tieWordEmbeddings()) {
      throw new IllegalArgumentException(
          "missing tensor lm_head.weight (config.json has tie_word_embeddings=false)");
    }
    return embed;
  }

  private record Binder(Map<String, TensorData> tensors, Kernels kernels) {
    Weight get(String name, long... shape) {
      TensorData t = tensors.get(name);
      if (t == null) {
        throw new IllegalArgumentException("missing tensor " + name);
      }
      if (!Arrays.equals(t.shape(), shape)) {
        throw new IllegalArgumentException(
            "tensor "
                + name
                + " has shape "
                + Arrays.toString(t.shape())
                + ", config.json implies "
                + Arrays.toString(shape));
      }
      return kernels.weight(t);
    }
  }
}
