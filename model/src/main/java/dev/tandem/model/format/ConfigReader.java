package dev.tandem.model.format;

import dev.tandem.model.GenerationConfig;
import dev.tandem.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Reads {@code config.json} and {@code generation_config.json} into typed records. */
public final class ConfigReader {
  private ConfigReader() {}

  /**
   * @throws NoSuchFileException naming the file when it is missing
   * @throws IllegalArgumentException naming the file and field when a field is missing, has the
   *     wrong type, or asks for something this runtime does not implement
   */
  public static ModelConfig modelConfig(Path file) throws IOException {
    Map<?, ?> c = object(file);
    Fields f = new Fields(file, c);
    String arch =
        c.get("architectures") instanceof List<?> l && !l.isEmpty()
            ? String.valueOf(l.get(0))
            : "model_type=" + c.get("model_type");
    f.requireAbsentOrEqual("hidden_act", "silu");
    f.requireAbsentOrEqual("rope_scaling", null);
    f.requireAbsentOrEqual("attention_bias", Boolean.FALSE);
    f.requireAbsentOrEqual("mlp_bias", Boolean.FALSE);
    int hidden = f.integer("hidden_size");
    int heads = f.integer("num_attention_heads");
    return new ModelConfig(
        arch,
        hidden,
        f.integer("intermediate_size"),
        f.integer("num_hidden_layers"),
        heads,
        c.containsKey("num_key_value_heads") ? f.integer("num_key_value_heads") : heads,
        c.get("head_dim") != null ? f.integer("head_dim") : hidden / heads,
        (float) f.number("rms_norm_eps", 1e-6),
        f.number("rope_theta", 10000.0),
        f.integer("max_position_embeddings"),
        f.integer("vocab_size"),
        c.get("tie_word_embeddings") instanceof Boolean b && b,
        c.get("bos_token_id") != null ? f.integer("bos_token_id") : -1,
        f.ids("eos_token_id"));
  }

  /** Missing file → {@link GenerationConfig#DEFAULT}. */
  public static GenerationConfig generationConfig(Path file) throws IOException {
    if (!Files.exists(file)) {
      return GenerationConfig.DEFAULT;
    }
    Map<?, ?> c = object(file);
    Fields f = new Fields(file, c);
    GenerationConfig d = GenerationConfig.DEFAULT;
    return new GenerationConfig(
        c.get("do_sample") instanceof Boolean b && b,
        (float) f.number("temperature", d.temperature()),
        c.get("top_k") != null ? f.integer("top_k") : d.topK(),
        (float) f.number("top_p", d.topP()),
        f.ids("eos_token_id"));
  }

  private static Map<?, ?> object(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "model file not found");
    }
    Object parsed = Json.parse(Files.readString(file), file.toString());
    if (!(parsed instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(file + ": expected a JSON object");
    }
    return m;
  }

  private record Fields(Path file, Map<?, ?> c) {
    int integer(String name) {
      Object v = c.get(name);
      if (v instanceof Long l && l == (int) (long) l) {
        return (int) (long) l;
      }
      throw new IllegalArgumentException(
          file + ": field " + name + " must be an integer, got " + (v == null ? "nothing" : v));
    }

    double number(String name, double dflt) {
      Object v = c.get(name);
      if (v == null) {
        return dflt;
      }
      if (v instanceof Number n) {
        return n.doubleValue();
      }
      throw new IllegalArgumentException(file + ": field " + name + " must be a number, got " + v);
    }

    /** An int, a list of ints, or absent (empty). */
    int[] ids(String name) {
      Object v = c.get(name);
      if (v == null) {
        return new int[0];
      }
      if (v instanceof Long) {
        return new int[] {integer(name)};
      }
      if (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof Long)) {
        return l.stream().mapToInt(x -> (int) (long) (Long) x).toArray();
      }
      throw new IllegalArgumentException(
          file + ": field " + name + " must be an integer or a list of integers, got " + v);
    }

    void requireAbsentOrEqual(String name, Object allowed) {
      Object v = c.get(name);
      if (v != null && !v.equals(allowed)) {
        throw new IllegalArgumentException(
            file + ": unsupported " + name + "=" + v + ", allowed: " + allowed + " or absent");
      }
    }
  }
}
