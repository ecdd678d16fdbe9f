package dev.tandem.router.engine;

import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.Verdict;
import dev.tandem.speccore.VerifierSession;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.concurrent.CompletionStage;

/**
 * Hands each verdict back on the request's Vert.x context, so the rest of the step (choosing k,
 * drafting, streaming the chunk) runs on the request's own event loop rather than on whatever
 * thread the verifier completed on (a model thread, a gRPC client loop, a timer): that spreads the
 * router's per-step work over all event loops and keeps it off the model executor.
 *
 * <p>Threading: as {@link VerifierSession}; verdicts complete on {@code context}.
 */
final class ContextBoundVerifierSession implements VerifierSession {

  private final VerifierSession session;
  private final Context context;

  ContextBoundVerifierSession(VerifierSession session, Context context) {
    this.session = session;
    this.context = context;
  }

  @Override
  public int firstToken() {
    return session.firstToken();
  }

  @Override
  public CompletionStage<Verdict> verify(DraftBlock draft) {
    return Future.fromCompletionStage(session.verify(draft), context).toCompletionStage();
  }

  @Override
  public void close() {
    session.close();
  }
}
