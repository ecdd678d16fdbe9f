package dev.tandem.model;

import dev.tandem.model.kernel.BlockQuant;
import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.TensorData;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

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
    /** A block's q/k/o or gate/up projection. */
    LINEAR,
    /** A block's v_proj or down_proj: the layers llama.cpp's Q4_K_M presets give more bits. */
    VALUE_OR_DOWN,
    /** The output head or a tied embedding table. */
    HEAD;

    /** The role of a block's linear layer named {@code name} (Hugging Face LLaMA names). */
    static Role ofLinear(String name) {
      return name.endsWith(".self_attn.v_proj.weight") || name.endsWith(".mlp.down_proj.weight")
          ? VALUE_OR_DOWN
          : LINEAR;
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
