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
 * The weights of a Hugging Face model directory: {@code model.safetensors}, or the shards listed by
 * {@code model.safetensors.index.json}. Owns the arena of the mappings: closing it unmaps every
 * tensor (and any backend weight that points into them).
 */
public final class ModelWeightsFiles implements AutoCloseable {
  public static final String SINGLE = "model.safetensors";
  public static final String INDEX = "model.safetensors.index.json";

  private final Arena arena = Arena.ofShared();
  private final Map<String, TensorData> tensors = new LinkedHashMap<>();

  private ModelWeightsFiles() {}

  /**
   * Maps the weights of {@code dir}.
   *
   * @throws NoSuchFileException naming both accepted file names when neither exists
   */
  public static ModelWeightsFiles open(Path dir) throws IOException {
    ModelWeightsFiles w = new ModelWeightsFiles();
    try {
      Path index = dir.resolve(INDEX);
      Path single = dir.resolve(SINGLE);
      if (Files.exists(index)) {
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
            dir.toString(), null, "no weights: expected " + SINGLE + " or " + INDEX);
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
