package dev.tandem.streaming;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.speccore.SinkSignal;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A loop on another thread (a model thread) hands its steps to the stream's context in batches: the
 * text and tokens arrive in order and complete, in no more chunks than steps; a full write queue
 * pauses the loop until it drains; a stop sequence stops it at the step that completed it.
 */
class TokenStreamerTest {

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** Records chunks on the context; its write queue is full while {@code full} is set. */
  private static final class Recorder implements ChunkWriter {
    final List<String> texts = new CopyOnWriteArrayList<>();
    final List<int[]> tokens = new CopyOnWriteArrayList<>();
    final AtomicBoolean full = new AtomicBoolean();
    final AtomicReference<Runnable> drain = new AtomicReference<>();
    final CountDownLatch drainAsked = new CountDownLatch(1);

    @Override
    public void writeDelta(String text, int[] chunk) {
      texts.add(text);
      tokens.add(chunk);
    }

    @Override
    public boolean writeQueueFull() {
      return full.get();
    }

    @Override
    public void drainHandler(Runnable handler) {
      drain.set(handler);
      drainAsked.countDown();
    }
  }

  private TokenStreamer streamer(Recorder writer, List<String> stops) {
    return new TokenStreamer(
        context,
        new IncrementalDetokenizer(id -> ("t" + id + " ").getBytes(StandardCharsets.UTF_8)),
        new StopSequenceFilter(stops),
        writer);
  }

  private String onContext(java.util.concurrent.Callable<String> call) throws Exception {
    CompletableFuture<String> result = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          try {
            result.complete(call.call());
          } catch (Exception e) {
            result.completeExceptionally(e);
          }
        });
    return result.get(10, TimeUnit.SECONDS);
  }

  @Test
  void stepsFromAnotherThreadArriveInOrderInNoMoreChunksThanSteps() throws Exception {
    Recorder writer = new Recorder();
    TokenStreamer streamer = streamer(writer, List.of());
    StringBuilder expected = new StringBuilder();
    for (int step = 0; step < 200; step++) {
      int[] tokens = {3 * step, 3 * step + 1, 3 * step + 2};
      for (int t : tokens) {
        expected.append("t").append(t).append(' ');
      }
      SinkSignal signal = streamer.onTokens(tokens).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(SinkSignal.CONTINUE, signal);
    }
    String tail = onContext(streamer::finish);
    assertEquals(expected.toString(), String.join("", writer.texts) + tail);
    int[] all = writer.tokens.stream().flatMapToInt(IntStream::of).toArray();
    assertArrayEquals(IntStream.range(0, 600).toArray(), all);
    assertTrue(writer.texts.size() <= 200, "chunks: " + writer.texts.size());
  }

  @Test
  void aFullWriteQueuePausesTheLoopUntilItDrains() throws Exception {
    Recorder writer = new Recorder();
    writer.full.set(true);
    TokenStreamer streamer = streamer(writer, List.of());
    CompletableFuture<SinkSignal> first = streamer.onTokens(new int[] {1}).toCompletableFuture();
    // The first chunk's write found the queue full and asked to hear of the drain...
    assertTrue(writer.drainAsked.await(10, TimeUnit.SECONDS));
    // ...so the loop waits: at this step if the write came first, else at the next one.
    CompletableFuture<SinkSignal> paused =
        first.isDone() ? streamer.onTokens(new int[] {2}).toCompletableFuture() : first;
    assertFalse(paused.isDone(), "the loop waits while the client's queue is full");
    writer.full.set(false);
    context.runOnContext(v -> writer.drain.get().run());
    assertEquals(SinkSignal.CONTINUE, paused.get(10, TimeUnit.SECONDS));
  }

  @Test
  void aStopSequenceStopsTheLoopAtTheStepThatCompletedIt() throws Exception {
    Recorder writer = new Recorder();
    TokenStreamer streamer = streamer(writer, List.of("t2 "));
    assertEquals(SinkSignal.CONTINUE, streamer.onTokens(new int[] {1}).toCompletableFuture().get());
    assertEquals(SinkSignal.STOP, streamer.onTokens(new int[] {2, 3}).toCompletableFuture().get());
    assertEquals("", onContext(streamer::finish));
    assertEquals("t1 ", String.join("", writer.texts));
    assertTrue(streamer.stoppedBySequence());
  }
}
