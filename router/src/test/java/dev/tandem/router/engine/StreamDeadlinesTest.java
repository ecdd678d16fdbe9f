package dev.tandem.router.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tandem.router.Eventually;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One tick ends exactly the streams whose deadline passed, on each stream's own context, and
 * forgets the streams that ended before theirs (on a hand-moved clock: the real tick, every 10 ms,
 * sees the same clock and so ends nothing the test did not make due).
 */
class StreamDeadlinesTest {

  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong now = new AtomicLong(5_000_000_000L);
  private final StreamDeadlines deadlines = new StreamDeadlines(vertx, now::get);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** A stream that records its deadline and where it was told. */
  private static final class Stream implements GenerationHandle {
    final Promise<StreamEnd> end = Promise.promise();
    final AtomicInteger exceeded = new AtomicInteger();
    final AtomicReference<Context> toldOn = new AtomicReference<>();

    @Override
    public Future<StreamEnd> completion() {
      return end.future();
    }

    @Override
    public String model() {
      return "m";
    }

    @Override
    public void cancel() {}

    @Override
    public void deadlineExceeded() {
      toldOn.set(Vertx.currentContext());
      exceeded.incrementAndGet();
    }
  }

  @Test
  void aTickEndsTheStreamsPastTheirDeadlineOnTheirOwnContextAndForgetsEndedOnes() throws Exception {
    List<Stream> streams = new ArrayList<>();
    List<Context> contexts = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      Stream s = new Stream();
      Context context = vertx.getOrCreateContext();
      streams.add(s);
      contexts.add(context);
      deadlines.watch(s, context, Duration.ofMillis(1 + i)); // stream i is due after 1 + i ms
    }
    streams.get(10).end.complete(null); // ended before its deadline
    assertEquals(999, deadlines.pending());

    now.addAndGet(Duration.ofMillis(500).toNanos()); // streams 0..499 are due
    deadlines.tick();
    assertEquals(500, deadlines.pending(), "streams 500..999 still to come");
    for (int i = 0; i < 1000; i++) {
      Stream s = streams.get(i);
      int expected = i < 500 && i != 10 ? 1 : 0;
      if (expected == 1) {
        Eventually.until(() -> s.exceeded.get() == 1, Duration.ofSeconds(5), "stream " + i);
        assertSame(contexts.get(i), s.toldOn.get(), "told on the stream's context");
      }
      assertEquals(expected, s.exceeded.get(), "deadline of stream " + i);
    }
    deadlines.tick(); // nobody is told twice
    assertEquals(1, streams.get(0).exceeded.get());
  }
}
