package dev.tandem.loadtests;

import java.util.function.Consumer;

/**
 * Runs one streamed completion without blocking and stamps its events into a {@link StreamTimings}.
 *
 * <p>Threading: {@link #stream} may be called from any thread; the client calls {@code done}
 * exactly once, on a thread of its own, after the last stamp.
 */
interface StreamingClient extends AutoCloseable {

  /**
   * @param maxTokensCap caps the request's max_tokens when positive
   * @param done receives null on success, else what went wrong
   */
  void stream(
      WorkloadMix.Request request, int maxTokensCap, StreamTimings timings, Consumer<String> done);

  @Override
  void close();
}
