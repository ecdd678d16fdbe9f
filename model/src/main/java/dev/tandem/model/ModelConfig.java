package dev.tandem.model;

import dev.tandem.model.format.ConfigReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The architecture of a LLaMA-family model, read from Hugging Face {@code config.json}.
 *
 * @param architecture {@code architectures[0]}; only {@value #LLAMA} is supported
 * @param hiddenSize model width {@code dim}
 * @param intermediateSize SwiGLU inner width
 * @param numLayers transformer blocks
 * @param numHeads attention (query) heads
 * @param numKvHeads key/value heads: equal to numHeads (MHA), fewer (GQA) or 1 (MQA)
 * @param headDim floats per head ({@code head_dim}, default hiddenSize / numHeads)
 * @param rmsNormEps RMSNorm epsilon
 * @param ropeTheta RoPE base
 * @param maxPositionEmbeddings longest context the model was built for
 * @param vocabSize rows of the embedding table and of the output head
 * @param tieWordEmbeddings output head shares the embedding table
 * @param bosTokenId beginning-of-sequence id, -1 when none
 * @param eosTokenIds end-of-sequence ids (HF allows an int or a list)
 */
public record ModelConfig(
    String architecture,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    float rmsNormEps,
    double ropeTheta,
    int maxPositionEmbeddings,
    int vocabSize,
    boolean tieWordEmbeddings,
    int bosTokenId,
    int[] eosTokenIds) {

  public static final String LLAMA = "LlamaForCausalLM";

  public ModelConfig {
    if (!LLAMA.equals(architecture)) {
      throw new IllegalArgumentException(
          "config.json: unsupported architecture " + architecture + ", allowed: " + LLAMA);
    }
    positive("hidden_size", hiddenSize);
    positive("intermediate_size", intermediateSize);
    positive("num_hidden_layers", numLayers);
    positive("num_attention_heads", numHeads);
    positive("num_key_value_heads", numKvHeads);
    positive("head_dim", headDim);
    positive("max_position_embeddings", maxPositionEmbeddings);
    positive("vocab_size", vocabSize);
    if (numHeads % numKvHeads != 0) {
      throw new IllegalArgumentException(
          "config.json: num_attention_heads ("
              + numHeads
              + ") must be a multiple of num_key_value_heads ("
              + numKvHeads
              + ")");
    }
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException("config.json: head_dim must be even, got " + headDim);
    }
    if (!(rmsNormEps > 0)) {
      throw new IllegalArgumentException(
          "config.json: rms_norm_eps must be > 0, got " + rmsNormEps);
    }
    if (!(ropeTheta > 0)) {
      throw new IllegalArgumentException("config.json: rope_theta must be > 0, got " + ropeTheta);
    }
    eosTokenIds = eosTokenIds.clone();
  }

  /** Reads {@code dir/config.json}. */
  public static ModelConfig load(Path dir) throws IOException {
    return ConfigReader.modelConfig(dir.resolve("config.json"));
  }

  /** Floats per position of a layer's keys (and of its values): numKvHeads * headDim. */
  public int kvDim() {
    return numKvHeads * headDim;
  }

  /** Query width: numHeads * headDim. */
  public int qDim() {
    return numHeads * headDim;
  }

  /** True when {@code token} ends a sequence. */
  public boolean isEos(int token) {
    for (int e : eosTokenIds) {
      if (e == token) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int[] eosTokenIds() {
    return eosTokenIds.clone();
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException("config.json: " + field + " must be > 0, got " + value);
    }
  }

  @Override
  public String toString() {
    return String.format(
        "%s(dim=%d, ffn=%d, layers=%d, heads=%d, kvHeads=%d, headDim=%d, vocab=%d, tied=%s, eos=%s)",
        architecture,
        hiddenSize,
        intermediateSize,
        numLayers,
        numHeads,
        numKvHeads,
        headDim,
        vocabSize,
        tieWordEmbeddings,
        Arrays.toString(eosTokenIds));
  }
}
