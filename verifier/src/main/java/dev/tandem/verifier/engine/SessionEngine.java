package dev.tandem.verifier.engine;

import dev.tandem.speccore.AcceptanceSampler;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SamplingTransform;
import dev.tandem.speccore.Verdict;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.logging.Logger;

/**
 * Hosts a model for verifier sessions: one session = one sequence = one KV cache. Opening prefills
 * the prompt and chooses the first token; each verify scores {@code [lastToken, d1..dk]} in one
 * forward, accepts a prefix with {@link AcceptanceSampler} and rolls the KV cache back to the
 * accepted length. Calls from different sessions are batched into one forward ({@link
 * BatchScheduler}).
 *
 * <p>Limits: at most {@link EngineOptions#maxSessions()} sessions and {@link
 * EngineOptions#maxKvTokens()} reserved KV positions ({@link CapacityExceededException}); a session
 * idle for {@link EngineOptions#idleTimeout()} is closed by a reaper.
 *
 * <p>Threading: every method may be called from any thread and none blocks; forwards run on the
 * model's executor and the returned futures complete there. Errors come back as failed futures:
 * {@link IllegalArgumentException} (bad input), {@link PositionMismatchException}, {@link
 * SessionClosedException}, {@link CapacityExceededException}, {@link IllegalStateException} (a
 * second call in flight). A failed verify closes its session.
 */
public final class SessionEngine implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(SessionEngine.class.getName());

  private final ScoringModel model;
  private final EngineOptions options;
  private final ScheduledExecutorService scheduler;
  private final BatchScheduler batches;
  private final Map<Long, EngineSession> sessions = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(1);
  private long reservedKv; // guarded by this
  private int sessionCount; // guarded by this: sessions registered and not yet closed
  private boolean closed; // guarded by this
  private volatile LongConsumer reapListener = id -> {};

  public SessionEngine(ScoringModel model, EngineOptions options) {
    this.model = model;
    this.options = options;
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "tandem-verifier-scheduler");
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    this.scheduler = executor;
    this.batches = new BatchScheduler(model, options, scheduler, this::idleSessions);
    long period = Math.clamp(options.idleTimeout().toMillis() / 4, 10, 5_000);
    scheduler.scheduleWithFixedDelay(this::reapIdle, period, period, TimeUnit.MILLISECONDS);
  }

  /** The hosted model's name. */
  public String modelName() {
    return model.name();
  }

  public ScoringModel model() {
    return model;
  }

  public EngineOptions options() {
    return options;
  }

  /**
   * Opens a session: prefills the prompt and chooses the first token with the session's params and
   * a generator seeded from {@link SamplingParams#seed()} (argmax when greedy).
   *
   * @param maxLength most positions the session will hold (prompt + generated); 0 means the model's
   *     context length. The session reserves this plus {@link DraftBlock#MAX_DRAFT} positions of
   *     slack for a last draft (within the context length).
   */
  public CompletableFuture<OpenResult> open(int[] prompt, SamplingParams params, int maxLength) {
    EngineSession session;
    try {
      int capacity = validateOpen(prompt, maxLength);
      session = register(capacity, params);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Work<OpenResult> work =
        new Work<>(
            session,
            prompt.clone(),
            false,
            System.nanoTime(),
            logits -> prefilled(session, logits));
    return submit(session, work);
  }

  /**
   * Scores {@code [lastToken, draft...]} at {@code position} and accepts a prefix of the draft plus
   * one token; the KV cache then holds {@code position + 1 + accepted} positions.
   */
  public CompletableFuture<VerifyResult> verify(
      long sessionId, int position, int lastToken, DraftBlock draft) {
    EngineSession session = sessions.get(sessionId);
    int[] tokens;
    try {
      if (session == null) {
        throw new SessionClosedException("session " + sessionId + " is closed or unknown");
      }
      tokens = verifyTokens(session, position, lastToken, draft);
      session.beginVerify(position, lastToken, System.nanoTime());
    } catch (RuntimeException e) {
      // The caller and the verifier disagree about the session: it cannot continue exactly.
      if (session != null) {
        closeSession(sessionId);
      }
      return CompletableFuture.failedFuture(e);
    }
    Work<VerifyResult> work =
        new Work<>(
            session,
            tokens,
            true,
            System.nanoTime(),
            logits -> verified(session, position, draft, logits));
    return submit(session, work);
  }

  /** Closes a session and releases its KV reservation at once. Idempotent; false if unknown. */
  public boolean closeSession(long sessionId) {
    EngineSession session = sessions.remove(sessionId);
    if (session == null || !session.markClosed()) {
      return false;
    }
    synchronized (this) {
      reservedKv -= session.reservedKv;
      sessionCount--;
    }
    return true;
  }

  /**
   * Called (on the reaper's thread) with the id of each session the idle reaper closed, so that
   * whoever serves it can tell its client.
   */
  public void onReaped(LongConsumer listener) {
    this.reapListener = listener;
  }

  /** Sessions currently open (including those still prefilling). */
  public int openSessions() {
    return sessions.size();
  }

  /** KV positions reserved by open sessions. */
  public synchronized long reservedKvTokens() {
    return reservedKv;
  }

  /** Counters of the batched forwards so far. */
  public BatchStats batchStats() {
    return batches.stats();
  }

  /** Closes every session and stops the reaper. New opens fail. Does not close the model. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    for (Long id : sessions.keySet()) {
      closeSession(id);
    }
    scheduler.shutdownNow();
  }

  private int validateOpen(int[] prompt, int maxLength) {
    if (prompt == null || prompt.length == 0) {
      throw new IllegalArgumentException("prompt_tokens must hold at least one token, got none");
    }
    checkTokens("prompt_tokens", prompt);
    int context = model.contextLength();
    int length = maxLength == 0 ? context : maxLength;
    if (length <= prompt.length || length > context) {
      throw new IllegalArgumentException(
          "max_length must be in "
              + (prompt.length + 1)
              + ".."
              + context
              + " (prompt length + 1 .. the model's context length), got "
              + maxLength);
    }
    return Math.min(length + DraftBlock.MAX_DRAFT, context);
  }

  private EngineSession register(int capacity, SamplingParams params) {
    synchronized (this) {
      if (closed) {
        throw new SessionClosedException("the verifier engine is shut down");
      }
      if (sessionCount >= options.maxSessions()) {
        throw new CapacityExceededException(
            "max-sessions limit reached: "
                + sessionCount
                + " of "
                + options.maxSessions()
                + " sessions are open");
      }
      if (reservedKv + capacity > options.maxKvTokens()) {
        throw new CapacityExceededException(
            "max-kv-tokens limit reached: "
                + reservedKv
                + " of "
                + options.maxKvTokens()
                + " KV positions are reserved, this session needs "
                + capacity);
      }
      reservedKv += capacity;
      sessionCount++;
    }
    long id = nextId.getAndIncrement();
    ScoringSequence sequence;
    try {
      sequence = model.newSequence(capacity);
    } catch (RuntimeException | OutOfMemoryError e) {
      synchronized (this) {
        reservedKv -= capacity;
        sessionCount--;
      }
      throw e;
    }
    EngineSession session =
        new EngineSession(
            id, sequence, params, new SplittableRandom(params.seed()), System.nanoTime());
    sessions.put(id, session);
    return session;
  }

  private int[] verifyTokens(EngineSession session, int position, int lastToken, DraftBlock draft) {
    if (draft == null) {
      throw new IllegalArgumentException("draft must not be null");
    }
    int[] tokens = new int[draft.size() + 1];
    tokens[0] = lastToken;
    System.arraycopy(draft.tokens(), 0, tokens, 1, draft.size());
    checkTokens("draft_tokens", tokens);
    int capacity = session.sequence.capacity();
    if (position + tokens.length > capacity) {
      throw new IllegalArgumentException(
          "a verify at position "
              + position
              + " with "
              + draft.size()
              + " draft tokens needs "
              + (position + tokens.length)
              + " positions; the session holds at most "
              + capacity);
    }
    return tokens;
  }

  private void checkTokens(String field, int[] tokens) {
    int vocab = model.vocabSize();
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] < 0 || tokens[i] >= vocab) {
        throw new IllegalArgumentException(
            field + " must be token ids in 0.." + (vocab - 1) + ", got " + tokens[i]);
      }
    }
  }

  private <T> CompletableFuture<T> submit(EngineSession session, Work<T> work) {
    batches.submit(work);
    // A failed forward leaves the KV cache in an unknown state: the session cannot continue.
    return work.future.whenComplete(
        (result, error) -> {
          if (error != null) {
            closeSession(session.id);
          }
        });
  }

  // Runs on the model's thread. logits: [1][vocab] for the prompt's last position.
  private OpenResult prefilled(EngineSession session, float[][] logits) {
    float[] probs = SamplingTransform.probabilities(logits[0], session.params);
    int first =
        session.params.isGreedy()
            ? SamplingTransform.argmax(probs)
            : SamplingTransform.sample(probs, session.rng);
    int position = session.sequence.length();
    session.endWork(first, System.nanoTime());
    return new OpenResult(session.id, first, position);
  }

  // Runs on the model's thread. logits: [k + 1][vocab] for [lastToken, d1..dk].
  private VerifyResult verified(
      EngineSession session, int position, DraftBlock draft, float[][] logits) {
    float[][] target = new float[logits.length][];
    for (int i = 0; i < logits.length; i++) {
      target[i] = SamplingTransform.probabilities(logits[i], session.params);
    }
    Verdict verdict = AcceptanceSampler.accept(draft, target, session.params, session.rng);
    int length = position + 1 + verdict.acceptedCount();
    session.sequence.truncate(length);
    session.endWork(verdict.nextToken(), System.nanoTime());
    return new VerifyResult(verdict, length);
  }

  private int idleSessions() {
    int idle = 0;
    for (EngineSession session : sessions.values()) {
      if (!session.isBusy()) {
        idle++;
      }
    }
    return idle;
  }

  private void reapIdle() {
    long cutoff = System.nanoTime() - options.idleTimeout().toNanos();
    for (EngineSession session : sessions.values()) {
      if (session.idleSince(cutoff) && closeSession(session.id)) {
        reapListener.accept(session.id);
        LOG.info(
            () ->
                "closed session "
                    + session.id
                    + ": idle for more than "
                    + options.idleTimeout().toMillis()
                    + " ms");
      }
    }
  }
}
