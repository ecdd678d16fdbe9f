package dev.tandem.router.engine;

import dev.tandem.router.cache.CacheEntry;
import dev.tandem.router.cache.CacheHit;
import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.TandemException;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;

/**
 * A cache hit streamed back through the same chunk path as a generated answer: the cached deltas in
 * order, with the writer's flow control (a full write queue waits for its drain), then the same
 * {@link StreamEnd.Finished} a generation ends with, whose result says the cache served it
 * (verifier cost 0, no verifier calls, the cache marker). Cancellation and deadlines end it like a
 * generation.
 *
 * <p>Threading: created, started, cancelled and completed on the request's Vert.x context.
 */
final class CachedReply implements GenerationHandle {

  private final List<CacheEntry.Chunk> chunks;
  private final String tail;
  private final GenerationResult result;
  private final Context context;
  private final ChunkWriter writer;
  private final Promise<StreamEnd> completion = Promise.promise();
  private int next;

  CachedReply(CacheHit hit, GenerationResult result, Context context, ChunkWriter writer) {
    this.chunks = hit.entry().chunks();
    this.tail = hit.entry().tail();
    this.result = result;
    this.context = context;
    this.writer = writer;
  }

  /** What a hit reports: the cached answer's tokens, this request's prompt, nothing computed. */
  static GenerationResult result(CacheHit hit, int promptTokens, Tier tier, String routeReason) {
    CacheEntry e = hit.entry();
    return new GenerationResult(
        switch (e.finish()) {
          case LENGTH -> GenerationResult.FinishReason.LENGTH;
          case STOP -> GenerationResult.FinishReason.STOP;
          case EOS -> GenerationResult.FinishReason.EOS;
        },
        promptTokens,
        e.completionTokens(),
        0,
        0,
        0,
        0,
        "cache",
        tier.name(),
        tier.model(),
        java.util.Optional.of(hit.marker()),
        routeReason);
  }

  void start() {
    context.runOnContext(v -> pump());
  }

  private void pump() {
    while (next < chunks.size()) {
      if (completion.future().isComplete()) {
        return;
      }
      if (writer.writeQueueFull()) {
        writer.drainHandler(() -> context.runOnContext(v -> pump()));
        return;
      }
      CacheEntry.Chunk chunk = chunks.get(next++);
      writer.writeDelta(chunk.text(), chunk.tokens().clone());
    }
    completion.tryComplete(new StreamEnd.Finished(tail, result));
  }

  GenerationResult result() {
    return result;
  }

  @Override
  public Future<StreamEnd> completion() {
    return completion.future();
  }

  @Override
  public String model() {
    return result.model();
  }

  @Override
  public void cancel() {
    completion.tryComplete(
        new StreamEnd.Failed(
            "", new TandemException(ErrorKind.CANCELLED, "request cancelled by the client")));
  }

  @Override
  public void deadlineExceeded() {
    completion.tryComplete(
        new StreamEnd.Failed(
            "",
            new TandemException(
                ErrorKind.DEADLINE_EXCEEDED, "deadline exceeded while sending a cached answer")));
  }
}
