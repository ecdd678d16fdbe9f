package dev.tandem.router.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Quantization;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem quantize}: the written directory loads as the quantized model; bad input exits 2.
 */
class QuantizeCommandTest {
  private static final Path DRAFT = Path.of("../fixtures/models/tandem-draft");
  @TempDir Path tmp;

  @Test
  void quantizingTheFixtureDraftWritesADirectoryThatLoadsAsQ4() throws Exception {
    Path dst = tmp.resolve("draft-q4");
    String out =
        CliRun.run(0, "quantize", DRAFT.toString(), dst.toString(), "--format", "q4").stdout();
    assertTrue(out.contains("model.gguf"), out);
    assertTrue(Files.exists(dst.resolve("tokenizer.json")));
    try (ModelRuntime runtime = new ModelRuntime(1);
        Model model = runtime.load(dst, ModelOptions.DEFAULT)) {
      assertEquals(Quantization.Q4_0, model.quantization());
    }
  }

  @Test
  void anUnknownFormatIsRefusedNamingTheAllowedOnes() {
    String err =
        CliRun.run(2, "quantize", DRAFT.toString(), tmp.toString(), "--format", "q3").stderr();
    assertTrue(err.contains("--format must be one of none, q8_0, q4, got q3"), err);
    err = CliRun.run(2, "quantize", DRAFT.toString(), tmp.toString(), "--format", "none").stderr();
    assertTrue(err.contains("--format must be one of q8_0, q4, got none"), err);
  }

  @Test
  void aMissingSourceIsReportedByName() {
    String err =
        CliRun.run(1, "quantize", tmp.resolve("nope").toString(), tmp.resolve("o").toString())
            .stderr();
    assertTrue(err.contains("nope"), err);
  }
}
