package dev.tandem.router.engine;

import dev.tandem.router.errors.TandemException;

/**
 * How a generation's stream ends: what the transport still has to send. The generation decides it
 * in one place; the gRPC and HTTP endpoints only format it.
 */
public sealed interface StreamEnd {

  /**
   * Text the stream still owes the client: what the stop filter or the UTF-8 decoder held back.
   * Empty when nothing is owed (a stop sequence matched, the client cancelled).
   */
  String tailText();

  /** Generation ended normally: the tail, then the last chunk with usage, cost and speculation. */
  record Finished(String tailText, GenerationResult result) implements StreamEnd {
    public Finished {
      if (tailText == null || result == null) {
        throw new IllegalArgumentException("tailText and result must not be null");
      }
    }
  }

  /**
   * Generation failed after {@code tailText} and whatever was streamed before it: the tail, then
   * the error (a gRPC status, an HTTP error or an SSE error event).
   */
  record Failed(String tailText, TandemException error) implements StreamEnd {
    public Failed {
      if (tailText == null || error == null) {
        throw new IllegalArgumentException("tailText and error must not be null");
      }
    }
  }
}
