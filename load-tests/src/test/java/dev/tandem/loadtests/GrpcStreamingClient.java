package dev.tandem.loadtests;

import dev.tandem.proto.v1.ChatMessage;
import dev.tandem.proto.v1.ChatMessages;
import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code tandem.v1.Generation/Generate} through grpc-java's async stub on one channel (HTTP/2
 * multiplexes every user's stream). Token ids are requested so that each chunk's token count is
 * exact.
 *
 * <p>Threading: the channel runs callbacks on its own Netty event loop ({@code directExecutor}: the
 * default executor costs a load client ten times the throughput).
 */
final class GrpcStreamingClient implements StreamingClient {

  private final ManagedChannel channel;
  private final GenerationGrpc.GenerationStub stub;

  GrpcStreamingClient(String authority) {
    channel =
        NettyChannelBuilder.forTarget(authority)
            .usePlaintext()
            .directExecutor()
            .maxInboundMessageSize(16 << 20)
            .build();
    stub = GenerationGrpc.newStub(channel);
  }

  @Override
  public void stream(
      WorkloadMix.Request request, int maxTokensCap, StreamTimings timings, Consumer<String> done) {
    stub.generate(
        toProto(request, maxTokensCap),
        new StreamObserver<>() {
          private int reported = -1;

          @Override
          public void onNext(GenerateChunk chunk) {
            long now = System.nanoTime();
            if (chunk.getTokenIdsCount() > 0) {
              timings.tokens(now, chunk.getTokenIdsCount());
            }
            if (chunk.hasSummary()) {
              reported = chunk.getSummary().getUsage().getCompletionTokens();
            }
          }

          @Override
          public void onError(Throwable t) {
            timings.end(System.nanoTime(), -1);
            Status status = Status.fromThrowable(t);
            done.accept(status.getCode() + ": " + status.getDescription());
          }

          @Override
          public void onCompleted() {
            timings.end(System.nanoTime(), reported);
            done.accept(null);
          }
        });
  }

  static GenerateRequest toProto(WorkloadMix.Request request, int maxTokensCap) {
    JsonObject line = request.line();
    GenerateRequest.Builder r =
        GenerateRequest.newBuilder()
            .setMaxTokens(request.maxTokens(maxTokensCap))
            .setTemperature(line.getFloat("temperature", 0f))
            .setTopP(line.getFloat("top_p", 1f))
            .setTopK(line.getInteger("top_k", 0))
            .setSeed(line.getLong("seed", 1L))
            .setReturnTokenIds(true);
    if (request.chat()) {
      ChatMessages.Builder messages = ChatMessages.newBuilder();
      for (Object m : line.getJsonArray("messages")) {
        JsonObject message = (JsonObject) m;
        messages.addMessages(
            ChatMessage.newBuilder()
                .setRole(message.getString("role"))
                .setContent(message.getString("content")));
      }
      r.setMessages(messages);
    } else {
      r.setPrompt(line.getString("prompt"));
    }
    return r.build();
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
