package dev.tandem.model;

import static dev.tandem.model.TinyModels.onModelThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tandem.model.format.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Logits of quantized models (quantize-at-load, Q8_0 and q4) against {@code
 * src/test/resources/quant-golden.json}, written by {@code tools/reference/quant_reference.py}:
 * PyTorch run on weights that its own numpy quantizer (ggml's reference rules) quantized and
 * de-quantized. Models: the three tiny ones, both fixture models, and a random 4 M-parameter model
 * that {@link RandomModel} regenerates bit for bit from the same hash. Both sides compute in
 * float32 on identical weight values, so only summation order differs: max abs error ≤ {@value
 * #TOLERANCE}. (The golden file also reports each case's distance from the unquantized model; that
 * is not asserted.)
 */
class QuantizedGoldenTest {
  static final float TOLERANCE = 1e-4f;
  static final Path FIXTURES = Path.of("..", "fixtures", "models");
  static ModelRuntime runtime;
  @TempDir static Path tmp;
  static Path randomModel;

  @BeforeAll
  static void start() throws IOException {
    runtime = new ModelRuntime(1);
    randomModel = RandomModel.write(tmp.resolve("random"));
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  static List<Map<?, ?>> cases() throws IOException {
    Path file = TinyModels.root().getParent().resolve("quant-golden.json");
    Map<?, ?> golden = (Map<?, ?>) Json.parse(Files.readString(file), file.toString());
    List<Map<?, ?>> cases = new ArrayList<>();
    for (Object c : (List<?>) golden.get("cases")) {
      cases.add((Map<?, ?>) c);
    }
    assertFalse(cases.isEmpty());
    return cases;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void quantizedLogitsMatchPyTorchOnTheDequantizedWeights(Map<?, ?> c) throws IOException {
    String name = (String) c.get("model");
    Path dir =
        switch (name) {
          case "random" -> randomModel;
          case "tandem-draft", "tandem-verifier" -> FIXTURES.resolve(name);
          default -> TinyModels.dir(name);
        };
    Quantization q = Quantization.parse((String) c.get("quantize"), "quantize");
    int[] tokens =
        ((List<?>) c.get("tokens")).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
    int firstRow = ((Number) c.get("first_row")).intValue();
    List<?> rows = (List<?>) c.get("logits");
    ModelOptions options = ModelOptions.DEFAULT.withBackend(Backend.VECTOR).withQuantize(q);
    try (Model model = runtime.load(dir, options)) {
      assertEquals(q, model.quantization());
      Sequence seq = model.newSequence(tokens.length);
      Logits logits = onModelThread(runtime, () -> model.forward(seq, tokens));
      int vocab = logits.vocab();
      for (int r = 0; r < rows.size(); r++) {
        List<?> expected = (List<?>) rows.get(r);
        for (int v = 0; v < vocab; v++) {
          float want = ((Number) expected.get(v)).floatValue();
          float got = logits.data()[(firstRow + r) * vocab + v];
          assertEquals(
              want, got, TOLERANCE, name + " " + q + " row " + (firstRow + r) + " id " + v);
        }
      }
    }
  }

  /**
   * The random model of {@code quant_reference.py} ({@code random_model}): LLaMA, d = 384, 2
   * layers, 6 heads / 2 KV heads, FFN 1056, vocabulary 1024, untied head, F32. Tensor k (in the
   * order below) holds {@code ((h >>> 40) / 2^24 * 2 - 1) * scale} with {@code h = splitmix64(k + 1
   * << 32 | i)}; scale 1 for the embedding, {@code 1/sqrt(in)} for linear layers; norms are ones.
   */
  static final class RandomModel {
    static final int DIM = 384;
    static final int FFN = 1056;
    static final int LAYERS = 2;
    static final int HEADS = 6;
    static final int KV_HEADS = 2;
    static final int VOCAB = 1024;

    private RandomModel() {}

    static Path write(Path dir) throws IOException {
      Files.createDirectories(dir);
      int hd = DIM / HEADS;
      Map<String, long[]> shapes = new LinkedHashMap<>();
      shapes.put("model.embed_tokens.weight", new long[] {VOCAB, DIM});
      for (int i = 0; i < LAYERS; i++) {
        String p = "model.layers." + i + ".";
        shapes.put(p + "self_attn.q_proj.weight", new long[] {HEADS * hd, DIM});
        shapes.put(p + "self_attn.k_proj.weight", new long[] {KV_HEADS * hd, DIM});
        shapes.put(p + "self_attn.v_proj.weight", new long[] {KV_HEADS * hd, DIM});
        shapes.put(p + "self_attn.o_proj.weight", new long[] {DIM, HEADS * hd});
        shapes.put(p + "mlp.gate_proj.weight", new long[] {FFN, DIM});
        shapes.put(p + "mlp.up_proj.weight", new long[] {FFN, DIM});
        shapes.put(p + "mlp.down_proj.weight", new long[] {DIM, FFN});
      }
      shapes.put("lm_head.weight", new long[] {VOCAB, DIM});
      Map<String, float[]> tensors = new LinkedHashMap<>();
      int k = 0;
      for (Map.Entry<String, long[]> e : shapes.entrySet()) {
        long[] s = e.getValue();
        float scale = k == 0 ? 1f : (float) (1 / Math.sqrt(s[1]));
        tensors.put(e.getKey(), values(++k, (int) (s[0] * s[1]), scale));
      }
      float[] ones = new float[DIM];
      java.util.Arrays.fill(ones, 1f);
      for (int i = 0; i < LAYERS; i++) {
        shapes.put("model.layers." + i + ".input_layernorm.weight", new long[] {DIM});
        tensors.put("model.layers." + i + ".input_layernorm.weight", ones);
        shapes.put("model.layers." + i + ".post_attention_layernorm.weight", new long[] {DIM});
        tensors.put("model.layers." + i + ".post_attention_layernorm.weight", ones);
      }
      shapes.put("model.norm.weight", new long[] {DIM});
      tensors.put("model.norm.weight", ones);
      writeSafetensors(dir.resolve("model.safetensors"), shapes, tensors);
      Files.writeString(
          dir.resolve("config.json"),
          """
          {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 384,
           "intermediate_size": 1056, "num_hidden_layers": 2, "num_attention_heads": 6,
           "num_key_value_heads": 2, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
           "max_position_embeddings": 64, "vocab_size": 1024, "tie_word_embeddings": false,
           "bos_token_id": 0, "eos_token_id": 0}
          """);
      return dir;
    }

    static float[] values(long seed, int n, float scale) {
      float[] out = new float[n];
      for (int i = 0; i < n; i++) {
        long h = splitmix64(seed << 32 | i);
        out[i] = ((float) (h >>> 40) / 16777216f * 2f - 1f) * scale;
      }
      return out;
    }

    static long splitmix64(long z) {
      z += 0x9E3779B97F4A7C15L;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }

    private static void writeSafetensors(
        Path file, Map<String, long[]> shapes, Map<String, float[]> tensors) {
      StringBuilder header = new StringBuilder("{");
      long offset = 0;
      for (Map.Entry<String, long[]> e : shapes.entrySet()) {
        long bytes = tensors.get(e.getKey()).length * 4L;
        long[] s = e.getValue();
        header
            .append(header.length() > 1 ? "," : "")
            .append('"')
            .append(e.getKey())
            .append("\":{\"dtype\":\"F32\",\"shape\":")
            .append(java.util.Arrays.toString(s).replace(" ", ""))
            .append(",\"data_offsets\":[")
            .append(offset)
            .append(',')
            .append(offset + bytes)
            .append("]}");
        offset += bytes;
      }
      byte[] h = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
      try (FileChannel ch =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
        ch.write(len.flip());
        ch.write(ByteBuffer.wrap(h));
        for (String name : shapes.keySet()) {
          float[] v = tensors.get(name);
          ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
          b.asFloatBuffer().put(v);
          ch.write(b);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
