package dev.tandem.router.cli;

import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpcClient;
import dev.tandem.proto.v1.Speculation;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tandem generate}: streams one completion from a running router to the terminal as it is
 * accepted, then prints throughput and speculation figures.
 */
@Command(
    name = "generate",
    description = "Stream a completion from a running router to the terminal.")
final class GenerateCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "The prompt")
  String prompt;

  @Option(names = "--target", description = "host:port of the router (default 127.0.0.1:8080)")
  String target = "127.0.0.1:8080";

  @Option(names = "--model", description = "Tier to use (default auto)")
  String model = "auto";

  @Option(names = "--max-tokens", description = "Tokens to generate (default 64)")
  int maxTokens = 64;

  @Option(names = "--temperature", description = "0 = greedy (default)")
  float temperature;

  @Option(names = "--seed", description = "Sampling seed")
  Long seed;

  @Option(names = "--drafter", description = "auto, model, ngram or none")
  String drafter = "auto";

  @Option(names = "--k", description = "Fixed draft length (default: adaptive)")
  Integer k;

  @Option(names = "--stop", description = "Stop sequence (repeatable)")
  List<String> stop = List.of();

  @Override
  public Integer call() {
    int colon = target.lastIndexOf(':');
    if (colon < 0) {
      System.err.println("tandem generate: --target must be host:port, got " + target);
      return 2;
    }
    GenerateRequest.Builder request =
        GenerateRequest.newBuilder()
            .setModel(model)
            .setPrompt(prompt)
            .setMaxTokens(maxTokens)
            .setTemperature(temperature)
            .addAllStop(stop)
            .setSpeculation(
                Speculation.newBuilder()
                    .setDrafter(drafter)
                    .setMode(k == null ? Speculation.Mode.MODE_AUTO : Speculation.Mode.MODE_FIXED)
                    .setK(k == null ? 0 : k));
    if (seed != null) {
      request.setSeed(seed);
    }
    Vertx vertx = Vertx.vertx();
    try {
      GrpcClient client = GrpcClient.client(vertx);
      GenerationGrpcClient stub =
          GenerationGrpcClient.create(
              client,
              SocketAddress.inetSocketAddress(
                  Integer.parseInt(target.substring(colon + 1)), target.substring(0, colon)));
      return stream(stub, request.build());
    } finally {
      vertx.close();
    }
  }

  private static int stream(GenerationGrpcClient stub, GenerateRequest request) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    CompletableFuture<GenerateChunk> last = new CompletableFuture<>();
    long start = System.nanoTime();
    long[] firstChunk = {0};
    stub.generate(request)
        .onFailure(last::completeExceptionally)
        .onSuccess(
            chunks ->
                chunks
                    .handler(
                        chunk -> {
                          if (firstChunk[0] == 0) {
                            firstChunk[0] = System.nanoTime();
                          }
                          out.print(chunk.getText());
                          if (chunk.hasSummary()) {
                            last.complete(chunk);
                          }
                        })
                    .exceptionHandler(last::completeExceptionally)
                    .endHandler(
                        v ->
                            last.completeExceptionally(
                                new IllegalStateException("stream ended without a summary"))));
    GenerateChunk summary;
    try {
      summary = last.join();
    } catch (RuntimeException e) {
      System.err.println("\ntandem generate: " + ServeCommand.rootMessage(e));
      return 1;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    var s = summary.getSummary();
    int tokens = s.getUsage().getCompletionTokens();
    var spec = s.getSpeculation();
    System.err.printf(
        "%n-- %d tokens in %.2f s (%.1f tokens/s, first token after %.0f ms) | finish=%s | tier=%s model=%s drafter=%s%n"
            + "-- speculation: %d verifier calls, %.2f tokens/call, %d/%d drafts accepted (%.0f%%) | cost $%.6f%n",
        tokens,
        seconds,
        tokens / seconds,
        (firstChunk[0] - start) / 1e6,
        summary.getFinishReason().name().replace("FINISH_REASON_", "").toLowerCase(),
        s.getTier(),
        s.getModel(),
        spec.getDrafter(),
        spec.getVerifierCalls(),
        spec.getVerifierCalls() == 0 ? 0.0 : (double) tokens / spec.getVerifierCalls(),
        spec.getAcceptedTokens(),
        spec.getDraftTokens(),
        spec.getDraftTokens() == 0 ? 0.0 : 100.0 * spec.getAcceptedTokens() / spec.getDraftTokens(),
        s.getCostUsd());
    return 0;
  }
}
