/**
 * The transformer runtime: a LLaMA-family forward pass written once against a small kernel
 * interface ({@link dev.tandem.model.kernel.Kernels}) with Java Vector API and ND4J backends,
 * Hugging Face format loading, a KV cache with rollback, continuous batching, and samplers.
 *
 * <ul>
 *   <li>{@link dev.tandem.model.ModelRuntime}: owns the model executor; loads models.
 *   <li>{@link dev.tandem.model.Model}: one loaded model; sequences, forward passes (sync on the
 *       model executor, async from anywhere).
 *   <li>{@link dev.tandem.model.Sequence}: one KV cache with capacity, length and {@code truncate}.
 *   <li>{@link dev.tandem.model.SequenceInput}, {@link dev.tandem.model.Logits}: batched forward
 *       input and output.
 *   <li>{@link dev.tandem.model.Sampler}: greedy / temperature / top-k / top-p, seeded, via
 *       spec-core's {@code SamplingTransform}.
 *   <li>{@link dev.tandem.model.Tokenizer}: {@code tokenizer.json} via HF tokenizers, plus raw
 *       token bytes for incremental detokenizing.
 *   <li>{@link dev.tandem.model.ModelConfig}, {@link dev.tandem.model.GenerationConfig}, {@link
 *       dev.tandem.model.ModelOptions}, {@link dev.tandem.model.Backend}: configuration.
 * </ul>
 *
 * Model work runs on the runtime's own executor, never on an event loop.
 */
package dev.tandem.model;
