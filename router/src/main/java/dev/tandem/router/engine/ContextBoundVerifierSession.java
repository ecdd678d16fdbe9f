package dev.tandem.router.engine;

import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.Stages;
import dev.tandem.speccore.Verdict;
import dev.tandem.speccore.VerifierSession;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * Hands each verdict back on the request's Vert.x context, so the rest of the step (choosing k,
 * drafting, streaming the chunk) runs on the request's own event loop rather than on whatever
 * thread the verifier completed on (a model thread, a gRPC client loop, a timer): that spreads the
 * router's per-step work over all event loops and keeps it off the model executor.
 *
 * <p>The session itself is the wrapped session's listener and the task on the context (one verify
 * is in flight at a time), and the caller's listener is told directly ({@link
 * VerifierSession#verify(DraftBlock, BiConsumer)}): the hop allocates nothing of its own per step.
 *
 * <p>Threading: as {@link VerifierSession}; verdicts complete on {@code context}. The outcome is
 * handed from the completing thread to the context through {@link Context#runOnContext}, which
 * orders the writes before the task.
 */
final class ContextBoundVerifierSession
    implements VerifierSession, BiConsumer<Verdict, Throwable>, Handler<Void> {

  private final VerifierSession session;
  private final Context context;
  private BiConsumer<? super Verdict, ? super Throwable> pending;
  private Verdict verdict;
  private Throwable error;

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
    return Stages.of(done -> verify(draft, done));
  }

  @Override
  public void verify(DraftBlock draft, BiConsumer<? super Verdict, ? super Throwable> done) {
    pending = done;
    session.verify(draft, this);
  }

  /** The wrapped session's verify completed (any thread): continue on the context. */
  @Override
  public void accept(Verdict verdict, Throwable error) {
    this.verdict = verdict;
    this.error = error;
    context.runOnContext(this);
  }

  /** On the context. */
  @Override
  public void handle(Void ignored) {
    BiConsumer<? super Verdict, ? super Throwable> done = pending;
    Verdict v = verdict;
    Throwable e = error;
    pending = null;
    verdict = null;
    error = null;
    done.accept(v, e);
  }

  @Override
  public String location() {
    return session.location();
  }

  @Override
  public void close() {
    session.close();
  }
}
