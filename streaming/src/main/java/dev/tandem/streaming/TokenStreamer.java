package dev.tandem.streaming;

import dev.tandem.speccore.SinkSignal;
import dev.tandem.speccore.TokenSink;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The speculation loop's {@link TokenSink} for one client stream: each step's accepted tokens are
 * detokenized (UTF-8 safe), passed through the stop-sequence filter and written as one chunk. The
 * stage it returns completes only when the client can take more, which pauses the loop while the
 * client's write queue is full: a slow reader never makes memory grow without bound (at most one
 * step's chunk is queued beyond the transport's own buffer).
 *
 * <p>Threading: {@link #onTokens} may be called on any thread (the loop continues wherever the
 * verifier completed); all text processing and writing hops onto the stream's Vert.x context.
 * {@link #finish} and {@link #abort} are called on that context.
 */
public final class TokenStreamer implements TokenSink {

  private final Context context;
  private final IncrementalDetokenizer detokenizer;
  private final StopSequenceFilter stopFilter;
  private final ChunkWriter writer;
  private CompletableFuture<SinkSignal> pending;
  private boolean stoppedBySequence;
  private boolean aborted;

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
    CompletableFuture<SinkSignal> signal = new CompletableFuture<>();
    if (Vertx.currentContext() == context) {
      write(tokens, signal); // already on the stream's event loop: no hop
    } else {
      context.runOnContext(v -> write(tokens, signal));
    }
    return signal;
  }

  private void write(int[] tokens, CompletableFuture<SinkSignal> signal) {
    if (aborted || stoppedBySequence) {
      signal.complete(SinkSignal.STOP);
      return;
    }
    StopSequenceFilter.Result result = stopFilter.push(detokenizer.push(tokens));
    writer.writeDelta(result.text(), tokens);
    if (result.stopped()) {
      stoppedBySequence = true;
      signal.complete(SinkSignal.STOP);
    } else if (writer.writeQueueFull()) {
      pending = signal;
      writer.drainHandler(this::resume);
    } else {
      signal.complete(SinkSignal.CONTINUE);
    }
  }

  private void resume() {
    CompletableFuture<SinkSignal> signal = pending;
    pending = null;
    if (signal != null) {
      signal.complete(aborted ? SinkSignal.STOP : SinkSignal.CONTINUE);
    }
  }

  /** True when a stop sequence ended the stream. */
  public boolean stoppedBySequence() {
    return stoppedBySequence;
  }

  /**
   * Flushes what was held back (an unfinished character, a prefix of a stop sequence that never
   * completed) when generation ended for another reason; returns the text still to send.
   */
  public String finish() {
    if (stoppedBySequence || aborted) {
      return "";
    }
    StopSequenceFilter.Result tail = stopFilter.push(detokenizer.finish());
    if (tail.stopped()) {
      stoppedBySequence = true;
      return tail.text();
    }
    return tail.text() + stopFilter.finish();
  }

  /** The client went away: a loop waiting for a drain is released with STOP. */
  public void abort() {
    aborted = true;
    resume();
  }
}
