package dev.tandem.router.cli;

import dev.tandem.model.ModelQuantizer;
import dev.tandem.model.Quantization;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tandem quantize SRC DST}: writes DST with SRC's config and tokenizer and a {@code
 * model.gguf} of Q8_0 / Q4_0 blocks, which loads without re-quantizing (see {@link
 * ModelQuantizer}).
 */
@Command(
    name = "quantize",
    description =
        "Write a quantized copy of a model directory (model.gguf, GGUF Q8_0/Q4_0 blocks) that"
            + " loads without re-quantizing.")
final class QuantizeCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "Model directory: config.json + safetensors weights")
  Path src;

  @Parameters(index = "1", description = "Output directory (created when missing)")
  Path dst;

  @Option(
      names = "--format",
      description =
          "q8_0 (default) or q4 (Q4_0 q/k/o/gate/up projections, Q8_0 v/down projections and output head)")
  String format = "q8_0";

  @Override
  public Integer call() {
    Quantization q;
    try {
      q = Quantization.parse(format, "--format");
      if (q == Quantization.NONE) {
        throw new IllegalArgumentException("--format must be one of q8_0, q4, got " + format);
      }
    } catch (IllegalArgumentException e) {
      System.err.println("tandem quantize: " + e.getMessage());
      return 2;
    }
    try {
      ModelQuantizer.Result r = ModelQuantizer.quantize(src, dst, q);
      System.out.printf(
          Locale.ROOT,
          "wrote %s: %d tensors quantized (%s), %d kept as stored, %.1f MB%n",
          r.file(),
          r.quantized(),
          q.configName(),
          r.keptAsStored(),
          r.bytes() / 1e6);
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      System.err.println("tandem quantize: " + e.getMessage());
      return 1;
    }
  }
}
