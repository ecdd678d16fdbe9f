package dev.tandem.model;

import dev.tandem.model.format.GgufWriter;
import dev.tandem.model.format.ModelWeightsFiles;
import dev.tandem.model.kernel.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes a quantized copy of a model directory ({@code tandem quantize SRC DST}): {@code DST/} gets
 * the same {@code config.json}, tokenizer and generation files and a {@code model.gguf} whose
 * tensors are exactly what quantize-at-load ({@link ModelOptions#quantize}) would make of SRC, so
 * loading DST runs on the same weights without re-quantizing. Tensors keep their Hugging Face names
 * and shapes; see {@link dev.tandem.model.format.GgufWriter} for the file format.
 *
 * <p>Runs on the calling thread; reads SRC through a memory mapping.
 */
public final class ModelQuantizer {
  private static final Pattern LINEAR =
      Pattern.compile(
          "model\\.layers\\.\\d+\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)\\.weight");
  private static final List<String> SIDE_FILES =
      List.of(
          "config.json",
          "generation_config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json");

  /**
   * What was written.
   *
   * @param file the GGUF file
   * @param quantized tensors quantized
   * @param keptAsStored tensors written as stored (embeddings, norms, rows not a multiple of 32)
   * @param bytes size of the GGUF file
   */
  public record Result(Path file, int quantized, int keptAsStored, long bytes) {}

  private ModelQuantizer() {}

  /**
   * Quantizes the model in {@code src} to {@code format} into the directory {@code dst} (created
   * when missing; an existing {@code model.gguf} there is replaced).
   *
   * @throws IllegalArgumentException when format is NONE, dst is src, or dst holds safetensors
   *     weights (a directory must hold one set of weights)
   * @throws IOException when reading src or writing dst fails (the message names the file)
   */
  public static Result quantize(Path src, Path dst, Quantization format) throws IOException {
    if (format == Quantization.NONE) {
      throw new IllegalArgumentException("format must be q8_0 or q4, got none");
    }
    if (src.toAbsolutePath().normalize().equals(dst.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException("DST must be another directory than SRC, got " + dst);
    }
    if (Files.exists(dst.resolve(ModelWeightsFiles.SINGLE))
        || Files.exists(dst.resolve(ModelWeightsFiles.INDEX))) {
      throw new IllegalArgumentException(
          dst + " already holds safetensors weights; choose an empty or new directory");
    }
    ModelConfig config = ModelConfig.load(src);
    Files.createDirectories(dst);
    try (ModelWeightsFiles files = ModelWeightsFiles.open(src);
        WeightQuantizer quantizer = new WeightQuantizer(format)) {
      List<TensorData> out = new ArrayList<>();
      int quantized = 0;
      for (TensorData t : files.tensors().values()) {
        WeightQuantizer.Role role = role(t.name(), config);
        TensorData q = role == null ? t : quantizer.apply(t, role);
        quantized += q.dtype().quantized() && !t.dtype().quantized() ? 1 : 0;
        out.add(q);
      }
      Path tmp = dst.resolve(ModelWeightsFiles.GGUF + ".tmp");
      new GgufWriter()
          .put("general.architecture", "llama")
          .put("general.name", String.valueOf(src.toAbsolutePath().getFileName()))
          .put("general.quantization_version", 2)
          .put("general.file_type", format == Quantization.Q8_0 ? 7 : 2) // ggml MOSTLY_Q8_0/Q4_0
          .put("tandem.tensor_names", "huggingface")
          .write(tmp, out);
      Path file = dst.resolve(ModelWeightsFiles.GGUF);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      for (String name : SIDE_FILES) {
        if (Files.exists(src.resolve(name))) {
          Files.copy(src.resolve(name), dst.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return new Result(file, quantized, out.size() - quantized, Files.size(file));
    }
  }

  /** The role quantize-at-load gives the tensor of this name, null when it stays as stored. */
  private static WeightQuantizer.Role role(String name, ModelConfig config) {
    if (LINEAR.matcher(name).matches()) {
      return WeightQuantizer.Role.ofLinear(name, config.numLayers());
    }
    if (name.equals("lm_head.weight")
        || (name.equals("model.embed_tokens.weight") && config.tieWordEmbeddings())) {
      return WeightQuantizer.Role.HEAD;
    }
    return null;
  }
}
