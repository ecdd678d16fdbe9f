package dev.tandem.speccore;

import java.util.concurrent.CompletionStage;

/**
 * Where the {@link SpeculationLoop} delivers generated tokens, one call per step.
 *
 * <p>Flow control: the loop starts no further drafting or verifying until the returned stage
 * completes, so a sink whose client cannot keep up returns a stage that completes when the client
 * drains. Threading: called by the loop on whichever thread completed its last stage, never
 * concurrently; must not block.
 */
public interface TokenSink {

  /**
   * Receives the tokens one step produced (never empty; EOS is never included).
   *
   * @param tokens owned by the sink from now on
   * @return completes when the sink is ready for more, saying whether to continue
   */
  CompletionStage<SinkSignal> onTokens(int[] tokens);
}
