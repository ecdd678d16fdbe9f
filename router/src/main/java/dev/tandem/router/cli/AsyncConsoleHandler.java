package dev.tandem.router.cli;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.ConsoleHandler;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * The console log handler of {@code ./tandem} ({@code tandem-logging.properties}): a record is
 * queued and written to standard error by a writer thread of its own, so a thread that logs never
 * waits for the console. Event loops log one line per request and per charge; through a plain
 * {@link ConsoleHandler} each was formatted and written to standard error on the event loop, under
 * the handler's lock, which stalls every stream on that loop whenever the reader of standard error
 * (a terminal, a pipe to a log shipper) is slow — and cost 3.6 % of the event loops' time at 2,000
 * streams even when it is not (BENCHMARKS.md).
 *
 * <p>The queue holds {@value #CAPACITY} records. When it is full, a record is dropped, not waited
 * for, and counted; the writer reports the count in a WARNING record before the next one it writes.
 * Closing the handler (the log manager does at JVM exit) writes what is queued first, waiting up to
 * {@value #DRAIN_SECONDS} seconds.
 *
 * <p>Formatting, level and encoding are the wrapped {@link ConsoleHandler}'s, configured by its
 * usual {@code java.util.logging.ConsoleHandler.*} properties (its default {@link SimpleFormatter}
 * is replaced by {@link ConsoleLineFormatter}, which writes the same lines); this handler's own
 * level is {@code dev.tandem.router.cli.AsyncConsoleHandler.level} (default ALL).
 *
 * <p>Threading: {@link #publish} from any thread, never blocking; one writer thread (a daemon)
 * formats and writes.
 */
public final class AsyncConsoleHandler extends Handler {

  static final int CAPACITY = 8192;
  static final int DRAIN_SECONDS = 2;

  /** Queued after the last record by {@link #close}: the writer stops when it takes it. */
  private static final LogRecord END = new LogRecord(Level.OFF, "end");

  private final Handler target;
  private final int capacity;
  private final BlockingQueue<LogRecord> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  /** Writes to standard error through a {@link ConsoleHandler} (the log manager's constructor). */
  public AsyncConsoleHandler() {
    this(consoleHandler(), CAPACITY);
    String key = AsyncConsoleHandler.class.getName() + ".level";
    String level = java.util.logging.LogManager.getLogManager().getProperty(key);
    if (level != null) {
      try {
        setLevel(Level.parse(level.trim()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            key + " must be a level (SEVERE, WARNING, INFO, FINE, ..., ALL, OFF), got " + level, e);
      }
    }
  }

  /**
   * @param target what writes the records, called on the writer thread only
   * @param capacity most records queued, {@code >= 1}
   */
  AsyncConsoleHandler(Handler target, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    this.target = target;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.capacity = capacity;
    setLevel(Level.ALL);
    writer = Thread.ofPlatform().daemon().name("tandem-log-writer").unstarted(this::drain);
    writer.start();
  }

  private static ConsoleHandler consoleHandler() {
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(Level.ALL); // this handler's level decides
    if (console.getFormatter().getClass() == SimpleFormatter.class) { // not one configured
      console.setFormatter(ConsoleLineFormatter.configured(console.getFormatter()));
    }
    return console;
  }

  @Override
  public void publish(LogRecord record) {
    if (record == null || closed || !isLoggable(record)) {
      return;
    }
    if (!queue.offer(record)) {
      dropped.incrementAndGet();
    }
  }

  /** Records dropped because the queue was full and not yet reported. */
  long droppedUnreported() {
    return dropped.get();
  }

  private void drain() {
    try {
      while (true) {
        LogRecord record = queue.take();
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
          write(droppedWarning(lost));
        }
        if (record == END) {
          return;
        }
        write(record);
        if (queue.isEmpty()) {
          target.flush();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One record; a record that cannot be written is reported and the writer goes on. */
  private void write(LogRecord record) {
    try {
      target.publish(record);
    } catch (RuntimeException e) {
      reportError("cannot write a log record", e, ErrorManager.WRITE_FAILURE);
    }
  }

  private LogRecord droppedWarning(long lost) {
    LogRecord warning =
        new LogRecord(
            Level.WARNING,
            lost
                + " log record(s) dropped: standard error did not keep up with the log (queue of "
                + capacity
                + " records full)");
    warning.setLoggerName(AsyncConsoleHandler.class.getName());
    return warning;
  }

  /** Nothing to do: the writer flushes whenever it has written everything queued. */
  @Override
  public void flush() {}

  /** Writes what is queued (up to {@value #DRAIN_SECONDS} s), then stops the writer. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
    try {
      // room for END once the writer takes a record; a writer stuck on the console gets none
      if (queue.offer(END, DRAIN_SECONDS, TimeUnit.SECONDS)) {
        writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    target.close();
  }
}
