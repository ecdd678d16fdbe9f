package dev.tandem.speccore;

/** What a {@link TokenSink} wants after receiving tokens. */
public enum SinkSignal {
  /** Keep generating. */
  CONTINUE,
  /**
   * End the generation now (e.g. a stop sequence matched); reported as {@link FinishReason#STOP}.
   */
  STOP
}
