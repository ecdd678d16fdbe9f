package dev.tandem.bench.model;

import dev.tandem.model.ModelRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The quantization figures of BENCHMARKS.md ("Quantized weights"): decode speed, block scoring,
 * memory and distance from BF16 per weight format on each model directory ({@link
 * QuantSpeedBench}), then the drafter's acceptance and perplexity per format on the workloads
 * ({@link DraftQualityBench}).
 *
 * <pre>
 * ./tandem bench quant [DIR...] [--formats f32,bf16,q8_0,q4] [--rounds 8]
 *     [--draft fixtures/models/tandem-draft] [--verifier fixtures/models/tandem-verifier]
 *     [--workloads code,prose,repetitive,chat] [--no-speed] [--no-quality]
 * </pre>
 *
 * DIR defaults to the two fixture models. One model thread.
 */
public final class QuantBench {
  private QuantBench() {}

  public static void main(String[] args) throws Exception {
    Path home = dev.tandem.router.cli.TandemHome.path();
    Path fixtures = home.resolve("fixtures");
    List<Path> dirs = new ArrayList<>();
    List<WeightFormat> formats = List.of(WeightFormat.values());
    Path draft = fixtures.resolve("models/tandem-draft");
    Path verifier = fixtures.resolve("models/tandem-verifier");
    List<String> workloads = List.of("code", "prose", "repetitive", "chat");
    int rounds = 8;
    boolean speed = true;
    boolean quality = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--formats" ->
            formats = List.of(args[++i].split(",")).stream().map(WeightFormat::parse).toList();
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--draft" -> draft = Path.of(args[++i]);
        case "--verifier" -> verifier = Path.of(args[++i]);
        case "--workloads" -> workloads = List.of(args[++i].split(","));
        case "--no-speed" -> speed = false;
        case "--no-quality" -> quality = false;
        default -> dirs.add(Path.of(args[i]));
      }
    }
    if (dirs.isEmpty()) {
      dirs = List.of(draft, verifier);
    }
    try (ModelRuntime runtime = new ModelRuntime(1)) {
      if (speed) {
        QuantSpeedBench bench = new QuantSpeedBench(runtime, System.out);
        for (Path dir : dirs) {
          bench.run(dir, formats, rounds);
        }
      }
      if (quality) {
        List<WeightFormat> drafters = formats.stream().filter(f -> f != WeightFormat.F32).toList();
        new DraftQualityBench(runtime, System.out)
            .run(verifier, draft, fixtures.resolve("workloads"), workloads, drafters);
      }
    }
  }
}
