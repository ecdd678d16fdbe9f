package dev.tandem.model;

/**
 * How a model is loaded and run.
 *
 * @param backend kernels to use ({@link Backend#AUTO} = vector on CPU)
 * @param maxBatchRows token rows per forward pass (longer inputs and batches are split into several
 *     passes); sizes the per-thread scratch buffers, including {@code [rows, vocab]} logits
 * @param widenBf16AtLoad vector backend: convert BF16 weights to F32 once at load (2x memory)
 *     instead of widening them per tile while multiplying
 * @param quantize quantize float weights to Q8_0 / Q4_0 at load ({@link Quantization}); weights a
 *     file already holds quantized are used as they are
 */
public record ModelOptions(
    Backend backend, int maxBatchRows, boolean widenBf16AtLoad, Quantization quantize) {

  public static final ModelOptions DEFAULT =
      new ModelOptions(Backend.AUTO, 64, false, Quantization.NONE);

  /** Options without quantize-at-load. */
  public ModelOptions(Backend backend, int maxBatchRows, boolean widenBf16AtLoad) {
    this(backend, maxBatchRows, widenBf16AtLoad, Quantization.NONE);
  }

  public ModelOptions {
    if (backend == null) {
      throw new IllegalArgumentException("backend must not be null");
    }
    if (quantize == null) {
      throw new IllegalArgumentException("quantize must not be null (Quantization.NONE for none)");
    }
    if (maxBatchRows < 1 || maxBatchRows > 4096) {
      throw new IllegalArgumentException("maxBatchRows must be in 1..4096, got " + maxBatchRows);
    }
  }

  public ModelOptions withBackend(Backend b) {
    return new ModelOptions(b, maxBatchRows, widenBf16AtLoad, quantize);
  }

  public ModelOptions withQuantize(Quantization q) {
    return new ModelOptions(backend, maxBatchRows, widenBf16AtLoad, q);
  }
}
