package dev.tandem.model;

import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.Kernels;
import dev.tandem.model.kernel.TensorData;
import dev.tandem.model.kernel.Weight;
import java.util.Arrays;
import java.util.Map;

/**
 * The LLaMA weights bound to a backend, by their Hugging Face names, each shape-checked against the
 * config. Tied embeddings reuse the embedding table as the output head.
 *
 * @param quantization the format of the blocks' quantized linear layers (from the file or quantized
 *     at load), {@link Quantization#NONE} when none is quantized
 */
record ModelWeights(
    Weight embedTokens,
    Layer[] layers,
    Weight finalNorm,
    Weight lmHead,
    Quantization quantization) {

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
  static ModelWeights bind(
      ModelConfig c, Map<String, TensorData> tensors, Kernels kernels, WeightQuantizer quantizer) {
    Binder b = new Binder(tensors, kernels, quantizer, c.numLayers());
    int dim = c.hiddenSize();
    Layer[] layers = new Layer[c.numLayers()];
    for (int i = 0; i < layers.length; i++) {
      String p = "model.layers." + i + ".";
      layers[i] =
          new Layer(
              b.get(p + "input_layernorm.weight", dim),
              b.linear(p + "self_attn.q_proj.weight", c.qDim(), dim),
              b.linear(p + "self_attn.k_proj.weight", c.kvDim(), dim),
              b.linear(p + "self_attn.v_proj.weight", c.kvDim(), dim),
              b.linear(p + "self_attn.o_proj.weight", dim, c.qDim()),
              b.get(p + "post_attention_layernorm.weight", dim),
              b.linear(p + "mlp.gate_proj.weight", c.intermediateSize(), dim),
              b.linear(p + "mlp.up_proj.weight", c.intermediateSize(), dim),
              b.linear(p + "mlp.down_proj.weight", dim, c.intermediateSize()));
    }
    boolean tied = c.tieWordEmbeddings() || !tensors.containsKey("lm_head.weight");
    // a tied table is the head too: quantized like the head, looked up row by row
    Weight embed =
        tied && c.tieWordEmbeddings()
            ? b.head("model.embed_tokens.weight", c.vocabSize(), dim)
            : b.get("model.embed_tokens.weight", c.vocabSize(), dim);
    Weight head = tied ? tiedHead(c, embed) : b.head("lm_head.weight", c.vocabSize(), dim);
    // a quantize option names the format (q4 on a model whose only quantizable layers are v/down
    // projections holds Q8_0 blocks alone); a file without one is named by what it holds
    Quantization format =
        b.linearFormat == null
            ? Quantization.NONE
            : quantizer.option() != Quantization.NONE ? quantizer.option() : b.linearFormat;
    return new ModelWeights(embed, layers, b.get("model.norm.weight", dim), head, format);
  }

  private static Weight tiedHead(ModelConfig c, Weight embed) {
    if (!c.tieWordEmbeddings()) {
      throw new IllegalArgumentException(
          "missing tensor lm_head.weight (config.json has tie_word_embeddings=false)");
    }
    return embed;
  }

  private static final class Binder {
    private final Map<String, TensorData> tensors;
    private final Kernels kernels;
    private final WeightQuantizer quantizer;
    private final int layers;
    private Quantization linearFormat; // of the quantized linear layers, null while none

    Binder(
        Map<String, TensorData> tensors, Kernels kernels, WeightQuantizer quantizer, int layers) {
      this.tensors = tensors;
      this.kernels = kernels;
      this.quantizer = quantizer;
      this.layers = layers;
    }

    /** A weight used as stored (embedding table, norm gains). */
    Weight get(String name, long... shape) {
      return kernels.weight(checked(name, shape));
    }

    /** A block's linear layer: quantized when the option says so. */
    Weight linear(String name, long... shape) {
      TensorData t =
          quantizer.apply(checked(name, shape), WeightQuantizer.Role.ofLinear(name, layers));
      if (t.dtype() == DType.Q4_0) { // q4 holds Q8_0 layers too: any Q4_0 one makes it q4
        linearFormat = Quantization.Q4_0;
      } else if (t.dtype() == DType.Q8_0 && linearFormat == null) {
        linearFormat = Quantization.Q8_0;
      }
      return kernels.weight(t);
    }

    /** The output head (or the tied embedding table). */
    Weight head(String name, long... shape) {
      return kernels.weight(quantizer.apply(checked(name, shape), WeightQuantizer.Role.HEAD));
    }

    private TensorData checked(String name, long... shape) {
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
      return t;
    }
  }
}
