package dev.tandem.streaming;

/**
 * Where a stream's text goes: a gRPC response, an SSE response, or a buffer for a non-streaming
 * answer. Flow control is the writer's: {@link #writeQueueFull()} and {@link
 * #drainHandler(Runnable)} mirror Vert.x's {@code WriteStream}.
 *
 * <p>Called on the stream's Vert.x context (event loop) only.
 */
public interface ChunkWriter {

  /**
   * Writes one chunk: the text accepted in one speculation step (possibly empty when it is held
   * back) and the tokens behind it.
   */
  void writeDelta(String text, int[] tokens);

  /** True when the client is not reading fast enough and writing should pause. */
  boolean writeQueueFull();

  /** Called once when the queue has room again after {@link #writeQueueFull()} was true. */
  void drainHandler(Runnable handler);

  /**
   * The request was routed: {@code model} serves it. Called once, before the first {@link
   * #writeDelta}, so a writer that labels its chunks never waits for the generation's handle (the
   * first chunk can come before {@code start} has returned the handle).
   */
  default void routed(String model) {}

  /**
   * A writer that appends every chunk's text to {@code text} and is never full: a non-streaming
   * answer's buffer.
   */
  static ChunkWriter into(StringBuilder text) {
    return new ChunkWriter() {
      @Override
      public void writeDelta(String delta, int[] tokens) {
        text.append(delta);
      }

      @Override
      public boolean writeQueueFull() {
        return false;
      }

      @Override
      public void drainHandler(Runnable handler) {}
    };
  }
}
