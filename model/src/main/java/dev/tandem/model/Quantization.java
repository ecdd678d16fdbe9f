package dev.tandem.model;

import dev.tandem.model.kernel.DType;
import java.util.Locale;

/**
 * Which block-quantized format a model's weights are quantized to when it is loaded ({@link
 * ModelOptions#quantize}), or which format a model's weights file holds ({@link
 * Model#quantization}). Quantized: the linear layers of every block and the output head; the
 * embedding table stays as stored unless it is tied to the head (then it is the head). Norm gains
 * always stay float. The head is Q8_0 in both formats, as llama.cpp keeps its output tensor above 4
 * bits: it is one matrix of many, but every logit goes through it. {@link #Q4_0} also keeps the v
 * and down projections of some blocks at Q8_0, as llama.cpp's Q4_K_M presets give those more bits
 * in the layers its {@code use_more_bits} picks (the first and last eighth and every third one
 * between; here the first layer always, see {@code WeightQuantizer.Role#moreBits}): with every
 * v/down projection at 4 bits the fixture drafter's acceptance fell by up to 0.016 against BF16,
 * with its two layers' at 8 bits by at most 0.009 (BENCHMARKS.md). On a 12-layer model 6 layers'
 * are kept.
 */
public enum Quantization {
  /** Weights as stored. */
  NONE(null, null, null),
  /** GGUF Q8_0 (8.5 bits per weight). */
  Q8_0(DType.Q8_0, DType.Q8_0, DType.Q8_0),
  /**
   * GGUF Q4_0 (4.5 bits per weight) for the blocks' linear layers, Q8_0 for the head and for the v
   * and down projections of the layers given more bits.
   */
  Q4_0(DType.Q4_0, DType.Q8_0, DType.Q8_0);

  private final DType linear;
  private final DType valueOrDown;
  private final DType head;

  Quantization(DType linear, DType valueOrDown, DType head) {
    this.linear = linear;
    this.valueOrDown = valueOrDown;
    this.head = head;
  }

  /** The type of the blocks' other linear layers; null for {@link #NONE}. */
  public DType linear() {
    return linear;
  }

  /** The type of v_proj and down_proj in the layers given more bits; null for {@link #NONE}. */
  public DType valueOrDown() {
    return valueOrDown;
  }

  /** The type of the output head (or the tied embedding table); null for {@link #NONE}. */
  public DType head() {
    return head;
  }

  /** The name config and the CLI use: {@code none}, {@code q8_0}, {@code q4}. */
  public String configName() {
    return switch (this) {
      case NONE -> "none";
      case Q8_0 -> "q8_0";
      case Q4_0 -> "q4";
    };
  }

  /**
   * Parses {@code none}, {@code q8_0} or {@code q4} ({@code q4_0} too), any case.
   *
   * @param field what is being read, for the message (e.g. {@code tiers[0].quantize})
   * @throws IllegalArgumentException naming the field and the allowed values
   */
  public static Quantization parse(String value, String field) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "none" -> NONE;
      case "q8_0" -> Q8_0;
      case "q4", "q4_0" -> Q4_0;
      default ->
          throw new IllegalArgumentException(
              field + " must be one of none, q8_0, q4, got " + value);
    };
  }
}
