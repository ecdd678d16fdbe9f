package dev.tandem.model.format;

import dev.tandem.model.kernel.TensorData;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The weights of a model directory: {@code model.safetensors}, the shards listed by {@code
 * model.safetensors.index.json}, or {@code model.gguf} (as {@code tandem quantize} writes it; see
 * {@link GgufFile}). Owns the arena of the mappings: closing it unmaps every tensor (and any
 * backend weight that points into them).
 */
public final class ModelWeightsFiles implements AutoCloseable {
  public static final String SINGLE = "model.safetensors";
  public static final String INDEX = "model.safetensors.index.json";
  public static final String GGUF = "model.gguf";

  private final Arena arena = Arena.ofShared();
  private final Map<String, TensorData> tensors = new LinkedHashMap<>();

  private ModelWeightsFiles() {}

  /**
   * Maps the weights of {@code dir}.
   *
   * @throws NoSuchFileException naming the accepted file names when none exists
   * @throws IllegalArgumentException when the directory holds both safetensors and GGUF weights
   */
  public static ModelWeightsFiles open(Path dir) throws IOException {
    ModelWeightsFiles w = new ModelWeightsFiles();
    try {
      Path index = dir.resolve(INDEX);
      Path single = dir.resolve(SINGLE);
      Path gguf = dir.resolve(GGUF);
      if (Files.exists(gguf) && (Files.exists(index) || Files.exists(single))) {
        throw new IllegalArgumentException(
            dir + ": holds both " + GGUF + " and safetensors weights; keep one of them");
      }
      if (Files.exists(gguf)) {
        w.tensors.putAll(GgufFile.map(gguf, w.arena));
      } else if (Files.exists(index)) {
        Object parsed = Json.parse(Files.readString(index), index.toString());
        Map<?, ?> weightMap = (Map<?, ?>) ((Map<?, ?>) parsed).get("weight_map");
        if (weightMap == null) {
          throw new IllegalArgumentException(index + ": missing field weight_map");
        }
        for (Object shard :
            new TreeSet<>(weightMap.values().stream().map(String::valueOf).toList())) {
          w.tensors.putAll(SafetensorsFile.map(dir.resolve((String) shard), w.arena));
        }
      } else if (Files.exists(single)) {
        w.tensors.putAll(SafetensorsFile.map(single, w.arena));
      } else {
        throw new NoSuchFileException(
            dir.toString(), null, "no weights: expected " + SINGLE + ", " + INDEX + " or " + GGUF);
      }
      return w;
    } catch (IOException | RuntimeException e) {
      w.close();
      throw e;
    }
  }

  /** All tensors by name. */
  public Map<String, TensorData> tensors() {
    return tensors;
  }

  @Override
  public void close() {
    arena.close();
  }
}
