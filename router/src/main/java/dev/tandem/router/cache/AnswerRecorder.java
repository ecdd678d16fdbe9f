package dev.tandem.router.cache;

import dev.tandem.streaming.ChunkWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Passes a generation's chunks through to the client and keeps a copy, so that the answer can be
 * cached exactly as it was streamed.
 *
 * <p>Threading: the stream's context only, like every {@link ChunkWriter}.
 */
public final class AnswerRecorder implements ChunkWriter {

  private final ChunkWriter delegate;
  private final List<CacheEntry.Chunk> chunks = new ArrayList<>();

  public AnswerRecorder(ChunkWriter delegate) {
    this.delegate = delegate;
  }

  /** The chunks written so far. */
  public List<CacheEntry.Chunk> chunks() {
    return chunks;
  }

  @Override
  public void writeDelta(String text, int[] tokens) {
    chunks.add(new CacheEntry.Chunk(text, tokens.clone()));
    delegate.writeDelta(text, tokens);
  }

  @Override
  public boolean writeQueueFull() {
    return delegate.writeQueueFull();
  }

  @Override
  public void drainHandler(Runnable handler) {
    delegate.drainHandler(handler);
  }

  @Override
  public void routed(String model) {
    delegate.routed(model);
  }
}
