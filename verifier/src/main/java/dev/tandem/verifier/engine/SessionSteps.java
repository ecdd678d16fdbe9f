package dev.tandem.verifier.engine;

import dev.tandem.speccore.AcceptanceSampler;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingTransform;
import dev.tandem.speccore.StepRandom;
import dev.tandem.speccore.Verdict;

/**
 * What a session makes of its logits: the first token after the prompt, and the verdict on a draft
 * block with the KV cache rolled back to the accepted length.
 *
 * <p>Threading: runs on the model's thread, while the session is busy with this work.
 */
final class SessionSteps {

  private SessionSteps() {}

  // Runs on the model's thread. logits: [1][vocab] for the prompt's last position.
  static OpenResult prefilled(EngineSession session, float[][] logits) {
    int position = session.sequence.length();
    float[] probs = SamplingTransform.probabilities(logits[0], session.params);
    int first =
        session.params.isGreedy()
            ? SamplingTransform.argmax(probs)
            : SamplingTransform.sample(probs, StepRandom.at(session.params.seed(), position));
    session.endWork(first, System.nanoTime());
    return new OpenResult(session.id, first, position);
  }

  /**
   * A resumed session: the sequence up to the last emitted token is in the KV cache, and that token
   * is what the caller sends next; nothing is chosen (the logits are not needed).
   */
  static OpenResult resumed(EngineSession session, int lastToken) {
    int position = session.sequence.length();
    session.endWork(lastToken, System.nanoTime());
    return new OpenResult(session.id, lastToken, position);
  }

  // Runs on the model's thread. logits: [k + 1][vocab] for [lastToken, d1..dk].
  static VerifyResult verified(
      EngineSession session, int position, DraftBlock draft, float[][] logits) {
    Verdict verdict;
    if (session.params.isGreedy()) {
      verdict = AcceptanceSampler.acceptGreedyLogits(draft, logits); // argmax per row, no softmax
    } else {
      float[][] target = new float[logits.length][];
      for (int i = 0; i < logits.length; i++) {
        target[i] = SamplingTransform.probabilities(logits[i], session.params);
      }
      verdict =
          AcceptanceSampler.accept(
              draft, target, session.params, StepRandom.at(session.params.seed(), position));
    }
    int length = position + 1 + verdict.acceptedCount();
    session.sequence.truncate(length);
    session.endWork(verdict.nextToken(), System.nanoTime());
    return new VerifyResult(verdict, length, session.load());
  }
}
