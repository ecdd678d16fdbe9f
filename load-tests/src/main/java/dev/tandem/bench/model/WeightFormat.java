package dev.tandem.bench.model;

import dev.tandem.model.Backend;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.Quantization;
import java.util.Locale;

/**
 * The weight formats the quantization benchmark compares, each as the options that load a BF16 (or
 * F32) model directory in that format on the vector backend: F32 (BF16 widened once at load), BF16
 * (as stored, widened per tile), Q8_0 and q4 (quantized at load).
 */
enum WeightFormat {
  F32(new ModelOptions(Backend.VECTOR, 64, true)),
  BF16(new ModelOptions(Backend.VECTOR, 64, false)),
  Q8_0(new ModelOptions(Backend.VECTOR, 64, false, Quantization.Q8_0)),
  Q4(new ModelOptions(Backend.VECTOR, 64, false, Quantization.Q4_0));

  final ModelOptions options;

  WeightFormat(ModelOptions options) {
    this.options = options;
  }

  static WeightFormat parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("formats must be among f32, bf16, q8_0, q4, got " + s, e);
    }
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
