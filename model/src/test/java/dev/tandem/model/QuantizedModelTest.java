package dev.tandem.model;

import static dev.tandem.model.TinyModels.onModelThread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.format.GgufFile;
import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ModelQuantizer} (what {@code tandem quantize} runs) and quantize-at-load ({@link
 * ModelOptions#quantize}) make the same model: loading the written file gives the logits of
 * quantizing the original at load (to the last bits), and the model says which format it runs on.
 */
class QuantizedModelTest {
  static ModelRuntime runtime;
  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    runtime = new ModelRuntime(1);
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  @ParameterizedTest
  @CsvSource({
    "tiny-gqa-f32, q8_0",
    "tiny-gqa-f32, q4",
    "tiny-mqa-bf16-tied, q8_0",
    "tiny-mha-f16-sharded, q4"
  })
  void theWrittenFileLoadsToTheSameLogitsAsQuantizingAtLoad(String name, String format)
      throws IOException {
    Quantization q = Quantization.parse(format, "format");
    Path dst = tmp.resolve(name + "-" + format);
    ModelQuantizer.Result result = ModelQuantizer.quantize(TinyModels.dir(name), dst, q);
    assertTrue(result.quantized() > 0, "nothing was quantized");
    assertTrue(Files.exists(dst.resolve("tokenizer.json")), "tokenizer.json was not copied");
    int[] tokens = {5, 17, 200, 3, 9, 64};
    ModelOptions vector = ModelOptions.DEFAULT.withBackend(Backend.VECTOR);
    try (Model fromFile = runtime.load(dst, vector);
        Model atLoad = runtime.load(TinyModels.dir(name), vector.withQuantize(q));
        Model plain = runtime.load(TinyModels.dir(name), vector)) {
      assertEquals(q, fromFile.quantization());
      assertEquals(q, atLoad.quantization());
      assertEquals(Quantization.NONE, plain.quantization());
      float[] a = logits(fromFile, tokens);
      float[] b = logits(atLoad, tokens);
      // The same quantized weights, run twice: equal to the last bits only, since the vector
      // kernels' lane sums (FloatVector.reduceLanes) leave their order unspecified, and it changes
      // when C2 compiles them between the two runs (one suite run in six read -1.1116147 against
      // -1.1116133). Weights quantized differently (a scale rounded another way) move logits by
      // 1e-3 and more.
      float tolerance = 1e-5f * maxAbs(b);
      assertArrayEquals(
          b, a, tolerance, name + " " + format + ": file and quantize-at-load differ");
      float[] c = logits(plain, tokens);
      assertTrue(!java.util.Arrays.equals(a, c), "quantized logits equal the float ones");
    }
  }

  @Test
  void q4KeepsValueAndDownProjectionsAndTheHeadAtQ8() throws IOException {
    Path dst = tmp.resolve("q4-plan");
    ModelQuantizer.quantize(TinyModels.dir("tiny-gqa-f32"), dst, Quantization.Q4_0);
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      var tensors = GgufFile.map(dst.resolve("model.gguf"), arena);
      for (String name : List.of("q_proj", "k_proj", "o_proj", "gate_proj", "up_proj")) {
        assertEquals(DType.Q4_0, type(tensors, name), name);
      }
      for (String name : List.of("v_proj", "down_proj", "lm_head")) {
        assertEquals(DType.Q8_0, type(tensors, name), name); // 2 layers: both get more bits
      }
    }
  }

  @Test
  void q4GivesMoreBitsToTheLayersLlamaCppPicksAndTheFirst() throws IOException {
    Path dst = tmp.resolve("q4-verifier");
    ModelQuantizer.quantize(
        FixtureModelsTest.FIXTURES.resolve("tandem-verifier"), dst, Quantization.Q4_0);
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      var tensors = GgufFile.map(dst.resolve("model.gguf"), arena);
      for (int layer = 0; layer < 4; layer++) {
        DType want = layer == 1 ? DType.Q4_0 : DType.Q8_0; // 4 layers: 0 (ours), 2, 3 (llama.cpp)
        for (String proj : List.of("self_attn.v_proj", "mlp.down_proj")) {
          String name = "model.layers." + layer + "." + proj + ".weight";
          assertEquals(want, tensors.get(name).dtype(), name);
        }
        assertEquals(
            DType.Q4_0, tensors.get("model.layers." + layer + ".mlp.up_proj.weight").dtype());
      }
    }
  }

  @Test
  void theMoreBitsRuleIsLlamaCppsWithTheFirstLayerAdded() {
    // llama.cpp's use_more_bits for 28 layers (Qwen2.5-7B's Q4_K_M attn_v/ffn_down layers)
    Set<Integer> llama28 = Set.of(0, 1, 2, 5, 8, 11, 14, 17, 20, 23, 24, 25, 26, 27);
    assertEquals(llama28, picked(28));
    assertEquals(Set.of(0, 3, 6, 9, 10, 11), picked(12)); // llama.cpp's set, which holds 0
    assertEquals(Set.of(0, 2, 3), picked(4)); // llama.cpp's: 2, 3
    assertEquals(Set.of(0, 1), picked(2)); // llama.cpp's: 1
    assertEquals(Set.of(0), picked(1)); // llama.cpp's: 0 (7 * 1 / 8 = 0)
  }

  private static Set<Integer> picked(int layers) {
    Set<Integer> out = new java.util.TreeSet<>();
    for (int i = 0; i < layers; i++) {
      if (WeightQuantizer.Role.moreBits(i, layers)) {
        out.add(i);
      }
    }
    return out;
  }

  private static DType type(Map<String, TensorData> tensors, String part) {
    return tensors.entrySet().stream()
        .filter(e -> e.getKey().contains(part))
        .map(e -> e.getValue().dtype())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no tensor " + part));
  }

  @Test
  void aFileQuantizedToOneFormatIsNotRequantizedToAnother() throws IOException {
    Path dst = tmp.resolve("q8");
    ModelQuantizer.quantize(TinyModels.dir("tiny-gqa-f32"), dst, Quantization.Q8_0);
    ModelOptions q4 =
        ModelOptions.DEFAULT.withBackend(Backend.VECTOR).withQuantize(Quantization.Q4_0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> runtime.load(dst, q4).close());
    assertTrue(e.getMessage().contains("is stored as Q8_0"), e.getMessage());
    assertTrue(e.getMessage().contains("quantize: q4"), e.getMessage());
    try (Model same = runtime.load(dst, q4.withQuantize(Quantization.Q8_0))) {
      assertEquals(Quantization.Q8_0, same.quantization());
    }
  }

  @Test
  void theNd4jBackendRunsAQuantizedFileOnDecodedWeights() throws IOException {
    Path dst = tmp.resolve("q4-nd4j");
    ModelQuantizer.quantize(TinyModels.dir("tiny-gqa-f32"), dst, Quantization.Q4_0);
    int[] tokens = {5, 17, 200, 3};
    try (Model vector = runtime.load(dst, ModelOptions.DEFAULT.withBackend(Backend.VECTOR));
        Model nd4j = runtime.load(dst, ModelOptions.DEFAULT.withBackend(Backend.ND4J))) {
      float[] a = logits(vector, tokens);
      float[] b = logits(nd4j, tokens);
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], TinyModels.TOLERANCE, "logit " + i);
      }
    }
  }

  @Test
  void badArgumentsAreRefusedWithTheReason() {
    Path src = TinyModels.dir("tiny-gqa-f32");
    IllegalArgumentException none =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelQuantizer.quantize(src, tmp.resolve("x"), Quantization.NONE));
    assertTrue(none.getMessage().contains("q8_0 or q4"), none.getMessage());
    IllegalArgumentException same =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelQuantizer.quantize(src, src, Quantization.Q8_0));
    assertTrue(same.getMessage().contains("another directory"), same.getMessage());
    IllegalArgumentException parse =
        assertThrows(IllegalArgumentException.class, () -> Quantization.parse("q5", "quantize"));
    assertEquals("quantize must be one of none, q8_0, q4, got q5", parse.getMessage());
  }

  private static float[] logits(Model model, int[] tokens) {
    Sequence seq = model.newSequence(16);
    return onModelThread(runtime, () -> model.forward(seq, tokens)).data();
  }

  private static float maxAbs(float[] values) {
    float max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
