package dev.tandem.router.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AsyncConsoleHandlerTest {

  /** Collects what the writer writes; the first record can be held until {@link #release}. */
  private static class Collecting extends Handler {
    final List<String> written = new ArrayList<>();
    final CountDownLatch firstArrived = new CountDownLatch(1);
    final CountDownLatch release;
    volatile boolean closed;

    Collecting(boolean holdFirst) {
      release = new CountDownLatch(holdFirst ? 1 : 0);
    }

    @Override
    public void publish(LogRecord record) {
      firstArrived.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      synchronized (written) {
        written.add(record.getLevel() + " " + record.getMessage());
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      closed = true;
    }

    List<String> written() {
      synchronized (written) {
        return List.copyOf(written);
      }
    }
  }

  private static LogRecord info(String message) {
    return new LogRecord(Level.INFO, message);
  }

  @Test
  void aStalledConsoleNeverHoldsTheCallerAndDroppedRecordsAreReported() throws Exception {
    Collecting console = new Collecting(true);
    AsyncConsoleHandler handler = new AsyncConsoleHandler(console, 2);
    handler.publish(info("r0"));
    assertTrue(console.firstArrived.await(10, TimeUnit.SECONDS)); // the writer is stuck on r0

    for (int i = 1; i <= 5; i++) {
      handler.publish(info("r" + i)); // returns at once although nothing is written
    }
    assertEquals(3, handler.droppedUnreported(), "r1, r2 queued; r3..r5 dropped");

    console.release.countDown();
    handler.close();
    assertEquals(
        List.of(
            "INFO r0",
            "WARNING 3 log record(s) dropped: standard error did not keep up with the log (queue"
                + " of 2 records full)",
            "INFO r1",
            "INFO r2"),
        console.written());
    assertTrue(console.closed);
  }

  @Test
  void closingWritesEverythingQueuedInOrder() {
    Collecting console = new Collecting(false);
    AsyncConsoleHandler handler = new AsyncConsoleHandler(console, 100);
    for (int i = 0; i < 50; i++) {
      handler.publish(info("r" + i));
    }
    handler.close();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add("INFO r" + i);
    }
    assertEquals(expected, console.written());
    handler.publish(info("after close")); // ignored, not an error
    assertEquals(50, console.written().size());
  }

  @Test
  void aRecordThatCannotBeWrittenDoesNotStopTheWriter() {
    Collecting console =
        new Collecting(false) {
          @Override
          public void publish(LogRecord record) {
            if (record.getMessage().equals("bad")) {
              throw new IllegalStateException("cannot format");
            }
            super.publish(record);
          }
        };
    AsyncConsoleHandler handler = new AsyncConsoleHandler(console, 100);
    handler.setErrorManager(
        new java.util.logging.ErrorManager() { // keep the test's output clean
          @Override
          public synchronized void error(String msg, Exception ex, int code) {}
        });
    handler.publish(info("before"));
    handler.publish(info("bad"));
    handler.publish(info("after"));
    handler.close();
    assertEquals(List.of("INFO before", "INFO after"), console.written());
  }

  @Test
  void recordsBelowTheHandlersLevelAreNotQueued() {
    Collecting console = new Collecting(false);
    AsyncConsoleHandler handler = new AsyncConsoleHandler(console, 100);
    handler.setLevel(Level.WARNING);
    handler.publish(info("quiet"));
    handler.publish(new LogRecord(Level.SEVERE, "loud"));
    handler.close();
    assertEquals(List.of("SEVERE loud"), console.written());
  }
}
