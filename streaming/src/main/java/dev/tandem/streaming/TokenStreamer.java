package dev.tandem.streaming;

import dev.tandem.speccore.SinkSignal;
import dev.tandem.speccore.TokenSink;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The speculation loop's {@link TokenSink} for one client stream: each step's accepted tokens are
 * detokenized (UTF-8 safe) and passed through the stop-sequence filter on the loop's own thread, so
 * a stop sequence ends the loop at the step that completed it; the text is then handed to the
 * stream's Vert.x context, which writes it as a chunk.
 *
 * <p>Hand-off in batches: a loop running off the context (on a model thread) does not wait for the
 * event loop after each step. Its steps' text and tokens collect in a buffer, one task on the
 * context writes everything collected as one chunk, and only one such task is pending at a time;
 * while the event loop keeps up every step is its own chunk, when it falls behind steps coalesce.
 * The loop is paused (the returned stage completes later) when the client's write queue is full,
 * until it drains, or when more than {@link #MAX_UNWRITTEN_TOKENS} tokens wait to be written: a
 * slow reader never makes memory grow without bound.
 *
 * <p>Threading: {@link #onTokens} is called by the loop (any thread, one call at a time in
 * happens-before order); writing, {@link #finish} and {@link #abort} run on the stream's context.
 * What the two sides share is guarded by {@code this}; the writer is only called on the context.
 */
public final class TokenStreamer implements TokenSink {

  /** Tokens handed over but not yet written beyond which the loop waits for the event loop. */
  public static final int MAX_UNWRITTEN_TOKENS = 256;

  // Plain completed futures: the loop takes a done one without a listener (see SpeculationLoop).
  private static final CompletionStage<SinkSignal> CONTINUE =
      CompletableFuture.completedFuture(SinkSignal.CONTINUE);
  private static final CompletionStage<SinkSignal> STOP =
      CompletableFuture.completedFuture(SinkSignal.STOP);

  private final Context context;
  private final IncrementalDetokenizer detokenizer;
  private final StopSequenceFilter stopFilter;
  private final ChunkWriter writer;
  private final Runnable flushTask = this::flush;
  private volatile boolean stoppedBySequence;

  // Guarded by this:
  private final StringBuilder unwrittenText = new StringBuilder();
  private int[] unwrittenTokens = new int[16];
  private int unwrittenCount;
  private boolean flushScheduled;
  private boolean writerFull;
  private boolean aborted;
  private CompletableFuture<SinkSignal> waiting;

  public TokenStreamer(
      Context context,
      IncrementalDetokenizer detokenizer,
      StopSequenceFilter stopFilter,
      ChunkWriter writer) {
    this.context = context;
    this.detokenizer = detokenizer;
    this.stopFilter = stopFilter;
    this.writer = writer;
  }

  @Override
  public CompletionStage<SinkSignal> onTokens(int[] tokens) {
    if (stoppedBySequence || isAborted()) {
      return STOP;
    }
    StopSequenceFilter.Result result = stopFilter.push(detokenizer.push(tokens));
    if (result.stopped()) {
      stoppedBySequence = true;
    }
    boolean onContext = Vertx.currentContext() == context;
    boolean schedule = false;
    boolean direct;
    synchronized (this) {
      if (aborted) {
        return STOP;
      }
      // On the stream's event loop with nothing collected: this step is the chunk, as it is.
      direct = onContext && unwrittenCount == 0 && unwrittenText.isEmpty();
      if (!direct) {
        append(result.text(), tokens);
      }
      if (!onContext && !flushScheduled) {
        flushScheduled = true;
        schedule = true;
      }
    }
    if (direct) {
      write(result.text(), tokens);
    } else if (onContext) {
      flush(); // already on the stream's event loop: write at once
    } else if (schedule) {
      context.runOnContext(v -> flushTask.run());
    }
    if (result.stopped()) {
      return STOP;
    }
    synchronized (this) {
      if (aborted) {
        return STOP;
      }
      if (!writerFull && unwrittenCount <= MAX_UNWRITTEN_TOKENS) {
        return CONTINUE;
      }
      waiting = new CompletableFuture<>();
      return waiting;
    }
  }

  private void append(String text, int[] tokens) {
    unwrittenText.append(text);
    if (unwrittenCount + tokens.length > unwrittenTokens.length) {
      unwrittenTokens =
          Arrays.copyOf(
              unwrittenTokens,
              Math.max(2 * unwrittenTokens.length, unwrittenCount + tokens.length));
    }
    System.arraycopy(tokens, 0, unwrittenTokens, unwrittenCount, tokens.length);
    unwrittenCount += tokens.length;
  }

  /** On the context: writes everything collected as one chunk, then looks at the write queue. */
  private void flush() {
    String text;
    int[] tokens;
    synchronized (this) {
      flushScheduled = false;
      if (aborted || (unwrittenCount == 0 && unwrittenText.isEmpty())) {
        return;
      }
      text = unwrittenText.toString();
      tokens = Arrays.copyOf(unwrittenTokens, unwrittenCount);
      unwrittenText.setLength(0);
      unwrittenCount = 0;
    }
    write(text, tokens);
  }

  /** On the context: writes one chunk, then looks at the write queue. */
  private void write(String text, int[] tokens) {
    writer.writeDelta(text, tokens);
    if (writer.writeQueueFull()) {
      synchronized (this) {
        writerFull = true;
      }
      writer.drainHandler(this::resume);
    } else {
      resume();
    }
  }

  /** On the context: the writer has room (again); a loop waiting for it continues. */
  private void resume() {
    CompletableFuture<SinkSignal> signal;
    boolean stop;
    synchronized (this) {
      writerFull = false;
      signal = waiting;
      waiting = null;
      stop = aborted;
    }
    if (signal != null) {
      signal.complete(stop ? SinkSignal.STOP : SinkSignal.CONTINUE);
    }
  }

  private synchronized boolean isAborted() {
    return aborted;
  }

  /** True when a stop sequence ended the stream. */
  public boolean stoppedBySequence() {
    return stoppedBySequence;
  }

  /**
   * On the context, after the loop ended: writes what is still collected, then flushes what was
   * held back (an unfinished character, a prefix of a stop sequence that never completed) when
   * generation ended for another reason; returns the text still to send.
   */
  public String finish() {
    flush();
    if (stoppedBySequence || isAborted()) {
      return "";
    }
    StopSequenceFilter.Result tail = stopFilter.push(detokenizer.finish());
    if (tail.stopped()) {
      stoppedBySequence = true;
      return tail.text();
    }
    return tail.text() + stopFilter.finish();
  }

  /** On the context: the client went away; nothing more is written and a waiting loop stops. */
  public void abort() {
    synchronized (this) {
      aborted = true;
      unwrittenText.setLength(0);
      unwrittenCount = 0;
    }
    resume();
  }
}
