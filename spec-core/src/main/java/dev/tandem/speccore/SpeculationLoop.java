package dev.tandem.speccore;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * Drives one request's speculative decoding: emit the verifier's first token, then repeat choose k
 * → propose → verify → emit, with one step in flight, until max tokens, EOS, the sink's STOP, a
 * cancel, the spend limit ({@link SpeculationLoopBuilder#spendLimit}), or an error. Each step's
 * tokens (accepted drafts + the verifier's next token) reach the {@link TokenSink} in one call; the
 * loop waits for the sink's stage before the next step, which is how flow control pauses it.
 *
 * <p>Ending: the max-tokens limit truncates the last step's tokens; an EOS token is not emitted and
 * everything after it is dropped; errors (thrown or as failed stages, from any collaborator)
 * complete {@link #start()}'s stage exceptionally. Whatever the ending, the draft and verifier
 * sessions are closed exactly once, after any propose or verify in flight has completed (sessions
 * never see {@code close} concurrently with a call). A failure to close fails the result.
 *
 * <p>Threading: {@link #start()} and {@link #cancel()} may be called from any thread. The loop runs
 * on whichever thread completed the stage it was waiting for (or the caller's, for synchronous
 * stages), one step at a time under a {@link Trampoline}, so synchronous stages do not grow the
 * stack. No lock is held while calling the sessions, the sink or the chooser.
 *
 * <pre>{@code
 * DraftSession draft = drafter.open(prompt, params);
 * verifier.open(prompt, params, prompt.length + maxTokens)
 *     .thenCompose(session -> SpeculationLoop.builder()
 *         .draft(draft).verifier(session).sink(streamer)
 *         .chooser(DraftLengthChooser.adaptive(8, priorLatencies))
 *         .acceptance(registry.forPair(drafter.name(), verifier.name()).forRequest())
 *         .maxTokens(maxTokens).eosTokens(tokenizer.eosIds())
 *         .build().start());
 * }</pre>
 */
public final class SpeculationLoop {

  private enum Phase {
    FIRST_TOKEN,
    PROPOSING,
    VERIFYING,
    EMITTING,
    DONE
  }

  private final SpeculationLoopBuilder config;
  private final CompletableFuture<LoopResult> result = new CompletableFuture<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final Trampoline trampoline = new Trampoline(this::advance);
  // One listener for every stage (not a new one per stage: this runs three times per step).
  private final BiConsumer<Object, Throwable> stageDone = this::stageDone;
  private volatile boolean cancelled;

  // The awaited stage's outcome, handed from stageDone (any thread) to the trampoline: written
  // before stageReady is set, read after it was seen set (one stage is awaited at a time; no
  // object per stage, as this runs three times per step).
  private Object stageValue;
  private Throwable stageError;
  private long stageEndNanos;
  private volatile boolean stageReady;

  // Confined to the trampoline:
  private final LoopCounters counters;
  // E(k) for k = 0..MAX_DRAFT, refilled before each step and handed to the chooser in LoopState
  private final double[] expectedTokens = new double[DraftBlock.MAX_DRAFT + 1];
  private Phase phase = Phase.FIRST_TOKEN;
  private boolean awaiting;
  private long stageStartNanos;
  private int requestedK;
  private DraftBlock draft;
  private long draftNanos;
  private long draftingNanos; // the drafter's own work within draftNanos
  private int[] pendingTokens;
  private FinishReason pendingFinish;

  SpeculationLoop(SpeculationLoopBuilder config) {
    this.config = config;
    this.counters = new LoopCounters(config.maxTokens, config.keepSteps);
  }

  /** Starts building a loop. */
  public static SpeculationLoopBuilder builder() {
    return new SpeculationLoopBuilder();
  }

  /**
   * Starts the loop (at most once). The returned stage completes when the loop has ended and both
   * sessions are closed.
   */
  public CompletionStage<LoopResult> start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("a SpeculationLoop can be started only once");
    }
    trampoline.signal();
    return result.minimalCompletionStage();
  }

  /**
   * Ends the loop: at once when it waits for the sink, otherwise as soon as the propose or verify
   * in flight completes; no further propose or verify is started. Idempotent; any thread.
   */
  public void cancel() {
    cancelled = true;
    trampoline.signal();
  }

  private void advance() {
    if (phase == Phase.DONE || !started.get()) {
      return;
    }
    try {
      if (awaiting) {
        if (!stageReady) {
          if (cancelled && phase == Phase.EMITTING) {
            finish(FinishReason.CANCELLED, null);
          }
          return;
        }
        stageReady = false;
        awaiting = false;
        Object value = stageValue;
        Throwable error = stageError;
        stageValue = null;
        stageError = null;
        if (error != null) {
          finish(null, unwrap(error));
          return;
        }
        onCompleted(value, stageEndNanos);
      }
      if (phase == Phase.DONE) {
        return;
      }
      if (cancelled) {
        finish(FinishReason.CANCELLED, null);
        return;
      }
      startNext();
    } catch (Throwable t) {
      finish(null, t);
    }
  }

  private void onCompleted(Object value, long endNanos) {
    long elapsed = Math.max(0, endNanos - stageStartNanos);
    switch (phase) {
      case PROPOSING -> onProposal((DraftBlock) value, elapsed);
      case VERIFYING -> onVerdict((Verdict) value, elapsed);
      case EMITTING -> onSinkSignal((SinkSignal) value);
      default -> throw new IllegalStateException("no stage expected in phase " + phase);
    }
  }

  private void startNext() {
    switch (phase) {
      case FIRST_TOKEN -> {
        int first = config.verifier.firstToken();
        config.draft.commit(0, first);
        prepareEmission(new int[] {first});
        startNext();
      }
      case PROPOSING -> {
        double alpha = config.acceptance.expectedTokens(expectedTokens);
        LoopState state = counters.state(alpha, expectedTokens);
        requestedK = config.chooser.chooseK(state);
        if (requestedK < 0) {
          throw new IllegalStateException("chooseK must return k >= 0, got " + requestedK);
        }
        requestedK = config.affordableK(state, Math.min(requestedK, DraftBlock.MAX_DRAFT));
        if (requestedK < 0) {
          finish(FinishReason.BUDGET, null);
          return;
        }
        if (requestedK == 0) {
          onProposal(DraftBlock.empty(), 0);
          startNext();
        } else {
          beginStage();
          await(config.draft.propose(requestedK));
        }
      }
      case VERIFYING -> {
        beginStage();
        config.verifier.verify(draft, stageDone);
      }
      case EMITTING -> {
        counters.addGenerated(pendingTokens.length);
        beginStage();
        await(config.sink.onTokens(pendingTokens));
      }
      case DONE -> {}
    }
  }

  /**
   * Before calling a collaborator whose stage the loop then waits for ({@link #stageDone}): the
   * call itself is part of the measured time.
   */
  private void beginStage() {
    awaiting = true;
    stageStartNanos = config.clock.getAsLong();
  }

  /** Waits for {@code stage} ({@link Stages#whenDone}: a stage already done is taken at once). */
  private void await(CompletionStage<?> stage) {
    Stages.whenDone(stage, stageDone);
  }

  /** A stage the loop waits for completed (any thread). */
  private void stageDone(Object value, Throwable error) {
    stageValue = value;
    stageError = error;
    stageEndNanos = config.clock.getAsLong();
    stageReady = true;
    trampoline.signal();
  }

  private void onProposal(DraftBlock block, long elapsed) {
    if (block == null || block.size() > requestedK) {
      throw new IllegalStateException(
          "drafter must return at most k = "
              + requestedK
              + " tokens, got "
              + (block == null ? "null" : block.size()));
    }
    draft = block;
    draftNanos = elapsed;
    long drafting = block.size() == 0 ? 0 : config.draft.lastDraftingNanos();
    draftingNanos = drafting < 0 ? elapsed : Math.min(drafting, elapsed);
    phase = Phase.VERIFYING;
  }

  private void onVerdict(Verdict verdict, long verifyNanos) {
    if (verdict == null || verdict.acceptedCount() > draft.size()) {
      throw new IllegalStateException(
          "verifier must accept at most the " + draft.size() + " draft tokens, got " + verdict);
    }
    int accepted = verdict.acceptedCount();
    int[] tokens = Arrays.copyOf(draft.tokens(), accepted + 1);
    tokens[accepted] = verdict.nextToken();
    config.draft.commit(accepted, verdict.nextToken());
    int emitted = prepareEmission(tokens);
    StepRecord step =
        new StepRecord(
            requestedK, draft.size(), accepted, emitted, draftNanos, verifyNanos, draftingNanos);
    counters.addStep(step);
    config.acceptance.record(draft.size(), accepted);
    config.chooser.observe(step);
  }

  /**
   * Cuts a step's tokens at EOS and at the limit; moves to EMITTING, or DONE if nothing is left.
   */
  private int prepareEmission(int[] tokens) {
    int limit = Math.min(tokens.length, counters.remaining());
    int count = 0;
    while (count < limit && !config.isEos(tokens[count])) {
      count++;
    }
    if (count < limit) {
      pendingFinish = FinishReason.EOS;
    } else if (count == counters.remaining()) {
      pendingFinish = FinishReason.LENGTH;
    }
    if (count == 0) {
      finish(FinishReason.EOS, null);
    } else {
      pendingTokens = Arrays.copyOf(tokens, count);
      phase = Phase.EMITTING;
    }
    return count;
  }

  private void onSinkSignal(SinkSignal signal) {
    if (signal == null) {
      throw new IllegalStateException("sink must complete with CONTINUE or STOP, got null");
    }
    if (signal == SinkSignal.STOP) {
      finish(FinishReason.STOP, null);
    } else if (pendingFinish != null) {
      finish(pendingFinish, null);
    } else {
      phase = Phase.PROPOSING;
    }
  }

  private void finish(FinishReason reason, Throwable error) {
    if (phase == Phase.DONE) {
      return;
    }
    phase = Phase.DONE;
    Throwable failure = close(config.draft, error);
    failure = close(config.verifier, failure);
    if (failure != null) {
      result.completeExceptionally(failure);
    } else {
      result.complete(counters.result(reason));
    }
  }

  private static Throwable close(AutoCloseable session, Throwable failure) {
    try {
      session.close();
      return failure;
    } catch (Throwable t) {
      if (failure == null) {
        return t;
      }
      failure.addSuppressed(t);
      return failure;
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
