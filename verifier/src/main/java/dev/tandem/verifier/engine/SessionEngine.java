package dev.tandem.verifier.engine;

import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
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
  private final RequestChecks checks;
  private final Map<Long, EngineSession> sessions = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(1);
  private long reservedKv; // guarded by this
  private int sessionCount; // guarded by this: sessions registered and not yet closed
  private boolean closed; // guarded by this
  private volatile LongConsumer reapListener = id -> {};

  public SessionEngine(ScoringModel model, EngineOptions options) {
    this(model, options, System::nanoTime);
  }

  /**
   * As above, with the clock of the busy share that verdicts report ({@link ScoringLoad}) given:
   * tests move a clock of their own instead of waiting.
   */
  public SessionEngine(ScoringModel model, EngineOptions options, LongSupplier busyClock) {
    this.model = model;
    this.options = options;
    this.checks = new RequestChecks(model.vocabSize(), model.contextLength());
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
    this.batches = new BatchScheduler(model, options, scheduler, this::idleSessions, busyClock);
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
   * the request's random stream at the prompt's length ({@link dev.tandem.speccore.StepRandom};
   * argmax when greedy).
   *
   * @param maxLength most positions the session will hold (prompt + generated); 0 means the model's
   *     context length. The session reserves this plus {@link DraftBlock#MAX_DRAFT} positions of
   *     slack for a last draft (within the context length).
   */
  public CompletableFuture<OpenResult> open(int[] prompt, SamplingParams params, int maxLength) {
    EngineSession session;
    try {
      int capacity = checks.openCapacity(prompt, maxLength);
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
            logits -> SessionSteps.prefilled(session, logits));
    return submit(session, work);
  }

  /**
   * Opens a session that continues a sequence another session started (a failover): prefills {@code
   * sequence} except its last token, which is the token emitted last and not scored yet; no token
   * is chosen. The session then stands exactly where the lost one stood after emitting that token:
   * {@link OpenResult#firstToken()} is that token, {@link OpenResult#position()} is {@code
   * sequence.length - 1}, and the next verify continues the request's random stream ({@link
   * dev.tandem.speccore.StepRandom}).
   *
   * @param sequence prompt + every token emitted so far, at least two tokens
   * @param maxLength as for {@link #open}
   */
  public CompletableFuture<OpenResult> resume(
      int[] sequence, SamplingParams params, int maxLength) {
    EngineSession session;
    int[] prefix;
    try {
      if (sequence == null || sequence.length < 2) {
        throw new IllegalArgumentException(
            "a resumed session needs the prompt and at least the last emitted token, got "
                + (sequence == null ? "none" : sequence.length + " token(s)"));
      }
      checks.checkTokens("prompt_tokens", sequence);
      prefix = Arrays.copyOf(sequence, sequence.length - 1);
      session = register(checks.openCapacity(prefix, maxLength), params);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    int lastToken = sequence[sequence.length - 1];
    Work<OpenResult> work =
        new Work<>(
            session,
            prefix,
            false,
            System.nanoTime(),
            logits -> SessionSteps.resumed(session, lastToken));
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
      tokens = checks.verifyTokens(session, position, lastToken, draft);
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
            logits -> SessionSteps.verified(session, position, draft, logits));
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
    batches.failQueued(new SessionClosedException("the verifier engine is shut down"));
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
    EngineSession session = new EngineSession(id, sequence, params, System.nanoTime());
    sessions.put(id, session);
    return session;
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
