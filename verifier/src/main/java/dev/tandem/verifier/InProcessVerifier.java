package dev.tandem.verifier;

import dev.tandem.model.Model;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.Verdict;
import dev.tandem.speccore.Verifier;
import dev.tandem.speccore.VerifierSession;
import dev.tandem.verifier.engine.EngineOptions;
import dev.tandem.verifier.engine.ModelScoring;
import dev.tandem.verifier.engine.OpenResult;
import dev.tandem.verifier.engine.SessionEngine;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The verifier without the network: a {@link SessionEngine} over a model loaded in this process.
 * The router's embedded default. Sessions of concurrent requests are batched into shared forwards.
 *
 * <p>Threading: {@link #open} from any thread; the returned stages complete on the model runtime's
 * thread (continuations there should be short or hop elsewhere).
 */
public final class InProcessVerifier implements Verifier, AutoCloseable {

  private final SessionEngine engine;

  /**
   * @param name the model's id, used in logs and metrics
   * @param model a loaded model; this verifier does not close it
   */
  public InProcessVerifier(String name, Model model, EngineOptions options) {
    this(new SessionEngine(new ModelScoring(name, model), options));
  }

  /** Serves sessions from an existing engine (which this verifier then owns). */
  public InProcessVerifier(SessionEngine engine) {
    this.engine = engine;
  }

  @Override
  public String name() {
    return engine.modelName();
  }

  /** Stages complete on the model runtime's thread. */
  @Override
  public boolean isLocal() {
    return true;
  }

  /** The engine, for its counters ({@link SessionEngine#openSessions()}). */
  public SessionEngine engine() {
    return engine;
  }

  @Override
  public CompletionStage<VerifierSession> open(
      int[] promptTokens, SamplingParams params, int maxLength) {
    return engine.open(promptTokens, params, maxLength).thenApply(Session::new);
  }

  /** Closes every open session. Does not close the model. */
  @Override
  public void close() {
    engine.close();
  }

  /**
   * One engine session. Threading: as {@link VerifierSession}; position and last token are written
   * by the completion of one verify and read by the next call, ordered by the stage.
   */
  private final class Session implements VerifierSession {
    private final long id;
    private final int firstToken;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int position;
    private volatile int lastToken;

    Session(OpenResult opened) {
      this.id = opened.sessionId();
      this.firstToken = opened.firstToken();
      this.position = opened.position();
      this.lastToken = opened.firstToken();
    }

    @Override
    public int firstToken() {
      return firstToken;
    }

    @Override
    public CompletionStage<Verdict> verify(DraftBlock draft) {
      return engine
          .verify(id, position, lastToken, draft)
          .thenApply(
              result -> {
                position = result.position();
                lastToken = result.verdict().nextToken();
                return result.verdict();
              });
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        engine.closeSession(id);
      }
    }
  }
}
