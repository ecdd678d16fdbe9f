package dev.tandem.model;

import dev.tandem.model.kernel.BlockQuant;
import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.TensorData;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Quantize-at-load: turns the float tensors a {@link Quantization} covers into Q8_0 / Q4_0 blocks
 * in its own off-heap arena, and checks that tensors already quantized in the file are what the
 * option asks for (they are never re-quantized). The float originals of quantized tensors are
 * dropped from memory (their pages of the mapping are unloaded), so only the blocks stay resident.
 * Owns the arena: closing it frees every quantized tensor. Used on the loading thread only.
 */
final class WeightQuantizer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(WeightQuantizer.class.getName());

  /** What a tensor is to the model, which decides its quantized type. */
  enum Role {
    /** A block's q/k/o or gate/up projection, or a v/down projection not given more bits. */
    LINEAR,
    /** A v_proj or down_proj of a layer {@link #moreBits} picks. */
    VALUE_OR_DOWN,
    /** The output head or a tied embedding table. */
    HEAD;

    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\..*");

    /**
     * The role of a block's linear layer named {@code name} (Hugging Face LLaMA names, {@code
     * model.layers.N....}) in a model of {@code layers} blocks.
     */
    static Role ofLinear(String name, int layers) {
      boolean valueOrDown =
          name.endsWith(".self_attn.v_proj.weight") || name.endsWith(".mlp.down_proj.weight");
      if (!valueOrDown) {
        return LINEAR;
      }
      Matcher m = LAYER.matcher(name);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a block's tensor: " + name);
      }
      return moreBits(Integer.parseInt(m.group(1)), layers) ? VALUE_OR_DOWN : LINEAR;
    }

    /**
     * Whether layer {@code i} of {@code n} keeps its v and down projections at more bits:
     * llama.cpp's Q4_K_M rule ({@code use_more_bits}: the first and last eighth of the layers and
     * every third one between), except that the first layer is always picked. llama.cpp's first
     * eighth, {@code i < n / 8}, is empty below 8 layers; the first block's error passes through
     * every later one, and the 2-layer drafter's acceptance needs both of its layers at Q8_0
     * (BENCHMARKS.md). 12 layers: 0, 3, 6, 9, 10, 11; 4 layers: 0, 2, 3; 2 layers: both.
     */
    static boolean moreBits(int i, int n) {
      return i < Math.max(1, n / 8) || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }
  }

  private final Quantization option;
  private final Arena arena = Arena.ofShared();
  private final List<String> keptAsStored = new ArrayList<>();
  private int quantized;

  WeightQuantizer(Quantization option) {
    this.option = option;
  }

  /** The format asked for ({@link Quantization#NONE}: tensors are used as stored). */
  Quantization option() {
    return option;
  }

  /**
   * {@code t} as the model will use it in {@code role}.
   *
   * @throws IllegalArgumentException when the file holds {@code t} quantized to another type than
   *     the option asks for
   */
  TensorData apply(TensorData t, Role role) {
    DType target =
        switch (role) {
          case LINEAR -> option.linear();
          case VALUE_OR_DOWN -> option.valueOrDown();
          case HEAD -> option.head();
        };
    if (t.dtype().quantized()) {
      if (target != null && target != t.dtype()) {
        throw new IllegalArgumentException(
            "tensor "
                + t.name()
                + " is stored as "
                + t.dtype()
                + ", but quantize: "
                + option.configName()
                + " asks for "
                + target
                + ": quantize the original weights instead, or leave quantize unset");
      }
      return t;
    }
    if (target == null) {
      return t;
    }
    if (t.cols() % BlockQuant.BLOCK != 0) {
      keptAsStored.add(t.name()); // ggml falls back the same way for such rows
      return t;
    }
    TensorData q = BlockQuant.quantize(t, target, arena);
    if (t.data().isMapped()) {
      t.data().unload();
    }
    quantized++;
    return q;
  }

  /** Logs what was quantized; call once after binding. */
  void report(String model) {
    if (option == Quantization.NONE) {
      return;
    }
    LOG.info(
        () ->
            model
                + ": quantize "
                + option.configName()
                + ": "
                + quantized
                + " tensors quantized at load"
                + (keptAsStored.isEmpty()
                    ? ""
                    : ", kept as stored (in-features not a multiple of 32): " + keptAsStored));
  }

  @Override
  public void close() {
    arena.close();
  }
}
