package dev.tandem.speccore;

/** Why a {@link SpeculationLoop} ended normally (errors end it exceptionally instead). */
public enum FinishReason {
  /** The maximum number of tokens was generated. */
  LENGTH,
  /** The verifier produced an end-of-sequence token. */
  EOS,
  /** The sink asked to stop (e.g. a stop sequence). */
  STOP,
  /** The next step would have spent more than the loop's spend limit. */
  BUDGET,
  /** {@link SpeculationLoop#cancel()} was called. */
  CANCELLED
}
