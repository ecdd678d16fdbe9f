package dev.tandem.model;

import static dev.tandem.model.TinyModels.onModelThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken model directories and misuse fail with messages naming what is wrong and what is allowed.
 */
class BadInputTest {
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

  /** A writable copy of tiny-gqa-f32. */
  private Path copy() throws IOException {
    Path src = TinyModels.dir("tiny-gqa-f32");
    Path dst = tmp.resolve("model");
    Files.createDirectories(dst);
    try (var files = Files.list(src)) {
      for (Path f : files.toList()) {
        Files.copy(f, dst.resolve(f.getFileName()));
      }
    }
    return dst;
  }

  private static void edit(Path file, String from, String to) throws IOException {
    String s = Files.readString(file, StandardCharsets.ISO_8859_1);
    assertTrue(s.contains(from), file + " should contain " + from);
    Files.writeString(
        file, s.replaceFirst(java.util.regex.Pattern.quote(from), to), StandardCharsets.ISO_8859_1);
  }

  private static void assertMessage(
      Class<? extends Throwable> type, Executable call, String... parts) {
    Throwable e = assertThrows(type, call);
    for (String p : parts) {
      assertTrue(
          e.getMessage().contains(p), "message should mention '" + p + "': " + e.getMessage());
    }
  }

  private Model load(Path dir) throws IOException {
    return runtime.load(dir, ModelOptions.DEFAULT);
  }

  @Test
  void missingConfigIsNamed() throws IOException {
    Path dir = copy();
    Files.delete(dir.resolve("config.json"));
    assertMessage(NoSuchFileException.class, () -> load(dir), "config.json");
  }

  @Test
  void missingWeightsNameBothAcceptedFiles() throws IOException {
    Path dir = copy();
    Files.delete(dir.resolve("model.safetensors"));
    assertMessage(
        NoSuchFileException.class,
        () -> load(dir),
        "model.safetensors",
        "model.safetensors.index.json");
  }

  @Test
  void missingShardIsNamed() throws IOException {
    Path dir = tmp.resolve("sharded");
    Files.createDirectories(dir);
    Path src = TinyModels.dir("tiny-mha-f16-sharded");
    for (String f :
        new String[] {
          "config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors"
        }) {
      Files.copy(src.resolve(f), dir.resolve(f));
    }
    assertMessage(NoSuchFileException.class, () -> load(dir), "model-00002-of-00002.safetensors");
  }

  @Test
  void unknownArchitectureListsTheSupportedOne() throws IOException {
    Path dir = copy();
    edit(dir.resolve("config.json"), "LlamaForCausalLM", "GPT2LMHeadModel");
    assertMessage(
        IllegalArgumentException.class, () -> load(dir), "GPT2LMHeadModel", "LlamaForCausalLM");
  }

  @Test
  void missingConfigFieldIsNamed() throws IOException {
    Path dir = copy();
    edit(dir.resolve("config.json"), "\"hidden_size\"", "\"hidden_sizes\"");
    assertMessage(IllegalArgumentException.class, () -> load(dir), "config.json", "hidden_size");
  }

  @Test
  void unsupportedDtypeNamesTensorAndAllowedTypes() throws IOException {
    Path dir = copy();
    edit(dir.resolve("model.safetensors"), "\"dtype\":\"F32\"", "\"dtype\":\"I32\"");
    assertMessage(
        IllegalArgumentException.class,
        () -> load(dir),
        "model.safetensors",
        "model.embed_tokens.weight",
        "I32",
        "F32, F16, BF16");
  }

  @Test
  void shapeMismatchNamesTensorAndBothShapes() throws IOException {
    Path dir = copy();
    edit(dir.resolve("config.json"), "\"intermediate_size\": 128", "\"intermediate_size\": 96");
    assertMessage(
        IllegalArgumentException.class,
        () -> load(dir),
        "model.layers.0.mlp.gate_proj.weight",
        "[128, 64]",
        "[96, 64]");
  }

  @Test
  void missingTensorIsNamed() throws IOException {
    Path dir = copy();
    edit(dir.resolve("model.safetensors"), "\"model.norm.weight\"", "\"model.norm.weighx\"");
    assertMessage(
        IllegalArgumentException.class, () -> load(dir), "missing tensor model.norm.weight");
  }

  @Test
  void misuseOfALoadedModelIsRejected() throws IOException {
    try (Model model = load(TinyModels.dir("tiny-gqa-f32"))) {
      Sequence seq = model.newSequence(4);
      assertMessage(
          IllegalArgumentException.class,
          () -> onModelThread(runtime, () -> model.forward(seq, new int[] {1, 2, 3, 4, 5})),
          "context over capacity",
          "0 of 4 positions",
          "5 tokens");
      assertEquals(0, seq.length());
      assertMessage(
          IllegalArgumentException.class,
          () -> onModelThread(runtime, () -> model.forward(seq, new int[] {1, 272})),
          "tokens[1]",
          "0..271",
          "272");
      assertMessage(IllegalArgumentException.class, () -> model.newSequence(129), "1..128", "129");
      assertMessage(IllegalArgumentException.class, () -> seq.truncate(1), "0..0");
      assertMessage(
          IllegalStateException.class, () -> model.forward(seq, new int[] {1}), "model executor");
    }
    assertMessage(
        IllegalArgumentException.class, () -> Backend.parse("gpu"), "auto, vector, nd4j", "gpu");
  }
}
