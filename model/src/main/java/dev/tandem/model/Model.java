package dev.tandem.model;

import dev.tandem.model.format.ModelWeightsFiles;
import dev.tandem.model.kernel.Kernels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A loaded LLaMA-family model, whatever the backend: the API drafters and verifiers use. Holds the
 * memory-mapped weights (not copied to the heap), the tokenizer and the configs; creates {@link
 * Sequence}s (one KV cache each) and runs forward passes over them.
 *
 * <h2>Threading</h2>
 *
 * Every forward pass runs on the owning {@link ModelRuntime}'s executor. The {@code *Async} methods
 * may be called from any thread (event loops included): they submit to that executor and complete
 * their future there. The synchronous methods ({@link #forward}, {@link #prefill}, {@link
 * #forwardBatch}) must be called on a model executor thread only (e.g. inside {@link
 * ModelRuntime#submit}) and throw {@link IllegalStateException} elsewhere. Several forwards may run
 * at once on different threads as long as they touch different sequences; a sequence is used by one
 * forward at a time (its owner waits for the previous future before issuing the next). Accessors
 * ({@link #config()}, {@link #tokenizer()}, ...) are thread-safe.
 */
public final class Model implements AutoCloseable {
  private final ModelRuntime runtime;
  private final Path dir;
  private final ModelConfig config;
  private final GenerationConfig generationConfig;
  private final Tokenizer tokenizer; // null when the directory has no tokenizer.json
  private final ModelWeightsFiles files;
  private final Kernels kernels;
  private final WeightQuantizer quantizer;
  private final Quantization quantization;
  private final Transformer transformer;

  private Model(
      ModelRuntime runtime,
      Path dir,
      ModelConfig config,
      GenerationConfig generationConfig,
      Tokenizer tokenizer,
      ModelWeightsFiles files,
      Kernels kernels,
      WeightQuantizer quantizer,
      ModelOptions options) {
    this.runtime = runtime;
    this.dir = dir;
    this.config = config;
    this.generationConfig = generationConfig;
    this.tokenizer = tokenizer;
    this.files = files;
    this.kernels = kernels;
    this.quantizer = quantizer;
    ModelWeights weights = ModelWeights.bind(config, files.tensors(), kernels, quantizer);
    quantizer.report(dir.toString());
    this.quantization = weights.quantization();
    this.transformer = new Transformer(config, weights, kernels, options.maxBatchRows());
  }

  /** Loads a Hugging Face model directory; see {@link ModelRuntime#load}. */
  static Model load(ModelRuntime runtime, Path dir, ModelOptions options) throws IOException {
    ModelConfig config = ModelConfig.load(dir);
    GenerationConfig gen = GenerationConfig.load(dir);
    Tokenizer tokenizer = Files.exists(dir.resolve("tokenizer.json")) ? Tokenizer.load(dir) : null;
    ModelWeightsFiles files = null;
    Kernels kernels = null;
    WeightQuantizer quantizer = null;
    try {
      files = ModelWeightsFiles.open(dir);
      kernels = options.backend().create(options);
      quantizer = new WeightQuantizer(options.quantize());
      return new Model(runtime, dir, config, gen, tokenizer, files, kernels, quantizer, options);
    } catch (IOException | RuntimeException e) {
      if (kernels != null) {
        kernels.close();
      }
      if (quantizer != null) {
        quantizer.close();
      }
      if (files != null) {
        files.close();
      }
      if (tokenizer != null) {
        tokenizer.close();
      }
      throw e;
    }
  }

  public ModelConfig config() {
    return config;
  }

  public GenerationConfig generationConfig() {
    return generationConfig;
  }

  /** The model's tokenizer. @throws IllegalStateException when the directory had none */
  public Tokenizer tokenizer() {
    if (tokenizer == null) {
      throw new IllegalStateException(dir + " has no tokenizer.json");
    }
    return tokenizer;
  }

  /**
   * The format of the weights the forward runs on: quantized at load ({@link
   * ModelOptions#quantize}) or read so from a quantized file; {@link Quantization#NONE} for float
   * weights. Output is exact with respect to this model, not to the float original.
   */
  public Quantization quantization() {
    return quantization;
  }

  /** Backend name ({@code vector}, {@code nd4j}). */
  public String backend() {
    return kernels.name();
  }

  /**
   * True when the forwards run on an accelerator (ND4J with its CUDA backend on the class path).
   */
  public boolean onAccelerator() {
    return "nd4j".equals(backend()) && Backend.cudaOnClassPath();
  }

  public ModelRuntime runtime() {
    return runtime;
  }

  /**
   * A new empty sequence with room for {@code capacity} positions (KV cache allocated now).
   *
   * @throws IllegalArgumentException unless 1 <= capacity <= max_position_embeddings
   */
  public Sequence newSequence(int capacity) {
    if (capacity < 1 || capacity > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException(
          "sequence capacity must be in 1.."
              + config.maxPositionEmbeddings()
              + ", got "
              + capacity);
    }
    return new Sequence(this, kernels.kvStore(config.numLayers(), capacity, config.kvDim()));
  }

  /**
   * Appends {@code tokens} to {@code seq} and returns logits for every appended position, {@code
   * [tokens.length, vocab]}: row i is the distribution of the token after {@code tokens[i]}. A
   * verifier feeds {@code [last token, d1..dk]} and gets k+1 distributions. Model thread only.
   */
  public Logits forward(Sequence seq, int[] tokens) {
    return forwardBatch(List.of(SequenceInput.all(seq, tokens))).get(0);
  }

  /** Like {@link #forward} but returns only the last position's logits, {@code [1, vocab]}. */
  public Logits prefill(Sequence seq, int[] tokens) {
    return forwardBatch(List.of(new SequenceInput(seq, tokens, false))).get(0);
  }

  /**
   * One forward over several sequences at once (continuous batching): the rows of all inputs go
   * through every linear layer together; attention runs per sequence over its own KV cache. Results
   * equal per-sequence forwards. Each sequence may appear once. Model thread only.
   *
   * @throws IllegalArgumentException for a foreign or repeated sequence, a token id outside [0,
   *     vocab), or an input that would exceed its sequence's capacity; nothing is run then
   */
  public List<Logits> forwardBatch(List<SequenceInput> inputs) {
    runtime.requireModelThread();
    validate(inputs);
    return transformer.forward(inputs);
  }

  /**
   * A sentence embedding: the mean over {@code tokens} of the final-normed hidden state, {@code
   * [hidden_size]}, computed on a fresh sequence (nothing else is touched). Model thread only.
   *
   * @throws IllegalArgumentException for no tokens, more than max_position_embeddings, or an id
   *     outside the vocabulary
   */
  public float[] meanHiddenState(int[] tokens) {
    runtime.requireModelThread();
    Sequence seq = newSequence(Math.max(1, tokens.length));
    validate(List.of(new SequenceInput(seq, tokens, false)));
    return transformer.meanHiddenState(seq, tokens);
  }

  /** {@link #meanHiddenState} on the model executor. */
  public CompletableFuture<float[]> meanHiddenStateAsync(int[] tokens) {
    return runtime.submit(() -> meanHiddenState(tokens));
  }

  /** {@link #forward} on the model executor. */
  public CompletableFuture<Logits> forwardAsync(Sequence seq, int[] tokens) {
    return runtime.submit(() -> forward(seq, tokens));
  }

  /** {@link #prefill} on the model executor. */
  public CompletableFuture<Logits> prefillAsync(Sequence seq, int[] tokens) {
    return runtime.submit(() -> prefill(seq, tokens));
  }

  /** {@link #forwardBatch} on the model executor. */
  public CompletableFuture<List<Logits>> forwardBatchAsync(List<SequenceInput> inputs) {
    return runtime.submit(() -> forwardBatch(inputs));
  }

  private void validate(List<SequenceInput> inputs) {
    IdentityHashMap<Sequence, Boolean> seen = new IdentityHashMap<>();
    for (SequenceInput in : inputs) {
      Sequence seq = in.sequence();
      if (seq.model() != this) {
        throw new IllegalArgumentException("sequence belongs to another model");
      }
      if (seen.put(seq, Boolean.TRUE) != null) {
        throw new IllegalArgumentException("a sequence may appear only once in a batch");
      }
      int[] tokens = in.tokens();
      for (int i = 0; i < tokens.length; i++) {
        if (tokens[i] < 0 || tokens[i] >= config.vocabSize()) {
          throw new IllegalArgumentException(
              "tokens["
                  + i
                  + "] must be in 0.."
                  + (config.vocabSize() - 1)
                  + " (vocab_size), got "
                  + tokens[i]);
        }
      }
      if (tokens.length > seq.remaining()) {
        throw new IllegalArgumentException(
            "context over capacity: sequence holds "
                + seq.length()
                + " of "
                + seq.capacity()
                + " positions, cannot append "
                + tokens.length
                + " tokens");
      }
    }
  }

  /** Releases the backend and unmaps the weights. No forward may be in flight. */
  @Override
  public void close() {
    kernels.close();
    quantizer.close();
    files.close();
    if (tokenizer != null) {
      tokenizer.close();
    }
  }

  @Override
  public String toString() {
    return dir.getFileName()
        + " "
        + config
        + " backend="
        + kernels.name()
        + (quantization == Quantization.NONE ? "" : " weights=" + quantization.configName());
  }
}
