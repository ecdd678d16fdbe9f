package dev.tandem.verifier.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Continuous batching: coalesces work from different sessions into one batched forward. Up to
 * {@link ScoringModel#parallelForwards} forwards run at once (one per model thread, each over
 * different sessions); work arriving while every thread is busy queues. When a thread is free, the
 * queue is flushed at once if it fills a batch ({@code maxBatchRows}) or if no other open session
 * could add work (every session is queued or running, so waiting gains nothing: a lone session is
 * never delayed); otherwise it waits at most {@code maxBatchWait} for the others. Verdicts carry
 * how saturated the model threads were ({@link SaturationMeter}) and what a call costs the server
 * beyond its rows: its own work ({@link CallCostMeter}, fed with each batch's model-thread CPU
 * time) and its share of the forward's fixed time, in the forward's marginal rows ({@link
 * RowCostMeter#callCostInRows}).
 *
 * <p>Threading: {@link #submit} from any thread. Forwards run on the model's executor; results are
 * interpreted and handed back there. The wait timer runs on the engine's scheduler thread. State is
 * guarded by {@code this}; no lock is held while calling the model or completing futures.
 */
final class BatchScheduler {

  private final ScoringModel model;
  private final int maxBatchRows;
  private final long maxWaitNanos;
  private final ScheduledExecutorService timer;
  private final IntSupplier idleSessions;
  private final int maxRunning;

  /** How fast the busy share forgets (its time constant). */
  static final Duration BUSY_MEMORY = Duration.ofSeconds(1);

  // Per model thread: its CPU time when its previous batch finished (-1: none yet).
  private static final ThreadLocal<long[]> MODEL_CPU_AT =
      ThreadLocal.withInitial(() -> new long[] {-1});
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final ArrayDeque<Work<?>> queue = new ArrayDeque<>();
  private final LongSupplier busyClock;
  private final SaturationMeter busy; // share of recent time every model thread was busy
  private final CallCostMeter callCost = CallCostMeter.ofThisProcess();
  private final RowCostMeter rowCost = new RowCostMeter();
  private int queuedRows;
  private int running; // forwards in flight
  private long freeSinceNanos; // when a model thread last became free
  private ScheduledFuture<?> waitTimer;
  private long batches;
  private long items;
  private long rows;

  /**
   * @param idleSessions open sessions with no work queued or running: those that could still add
   *     work to the next batch
   * @param busyClock the busy share's clock in nanoseconds ({@link System#nanoTime} but in tests)
   */
  BatchScheduler(
      ScoringModel model,
      EngineOptions options,
      ScheduledExecutorService timer,
      IntSupplier idleSessions,
      LongSupplier busyClock) {
    this.model = model;
    this.maxBatchRows = options.maxBatchRows();
    this.maxWaitNanos = options.maxBatchWait().toNanos();
    this.timer = timer;
    this.idleSessions = idleSessions;
    this.maxRunning = Math.max(1, model.parallelForwards());
    this.busyClock = busyClock;
    this.busy = new SaturationMeter(BUSY_MEMORY, busyClock.getAsLong());
  }

  void submit(Work<?> work) {
    synchronized (this) {
      // The load as verdicts report it: how much of the recent time the model had no thread
      // free, whether positions cost throughput, what a call costs beyond its rows.
      work.session.load(
          new ScoringLoad(
              busy.share(busyClock.getAsLong()),
              model.positionsCostThroughput(),
              rowCost.callCostInRows(callCost.callCostRows()),
              rowCost.rowCostToOthersNanos()));
      queue.add(work);
      queuedRows += work.rows();
    }
    maybeFlush();
  }

  /** Fails every queued (not yet running) work item; used when the engine shuts down. */
  void failQueued(RuntimeException error) {
    List<Work<?>> dropped;
    synchronized (this) {
      dropped = new ArrayList<>(queue);
      queue.clear();
      queuedRows = 0;
    }
    for (Work<?> work : dropped) {
      work.failWith(error);
      work.complete();
    }
  }

  synchronized BatchStats stats() {
    return new BatchStats(batches, items, rows);
  }

  /** Starts a forward when the model is free and the flush rule allows; else arms the timer. */
  private void maybeFlush() {
    List<Work<?>> batch;
    synchronized (this) {
      if (running >= maxRunning || queue.isEmpty()) {
        return;
      }
      // The wait counts from when the model became free: work that queued behind a running
      // forward still waits (briefly) for the sessions that forward is about to hand back.
      long waited = System.nanoTime() - Math.max(queue.peek().enqueuedNanos, freeSinceNanos);
      boolean full = queuedRows >= maxBatchRows;
      if (!full && waited < maxWaitNanos && idleSessions.getAsInt() > 0) {
        if (waitTimer == null && !timer.isShutdown()) {
          waitTimer =
              timer.schedule(this::onWaitElapsed, maxWaitNanos - waited, TimeUnit.NANOSECONDS);
          return;
        }
        if (waitTimer != null) {
          return;
        }
      }
      if (waitTimer != null) {
        waitTimer.cancel(false);
        waitTimer = null;
      }
      batch = takeBatch();
      running++;
      busy.set(running >= maxRunning, busyClock.getAsLong());
      batches++;
      items += batch.size();
      for (Work<?> work : batch) {
        rows += work.rows();
      }
    }
    run(batch);
  }

  private void onWaitElapsed() {
    synchronized (this) {
      waitTimer = null;
    }
    maybeFlush();
  }

  /**
   * CPU time this (model) thread spent since its previous batch finished here: the forward and the
   * verdicts just computed. 0 on a thread's first batch, and where thread CPU time is not
   * supported.
   */
  private static long modelCpuSincePreviousBatch() {
    long now = THREADS.getCurrentThreadCpuTime(); // -1 where not supported
    long[] at = MODEL_CPU_AT.get();
    long used = at[0] < 0 || now < 0 ? 0 : now - at[0];
    at[0] = now;
    return used;
  }

  /** Takes queued work up to maxBatchRows rows (always at least one item). */
  private List<Work<?>> takeBatch() {
    List<Work<?>> batch = new ArrayList<>();
    int taken = 0;
    while (!queue.isEmpty() && (batch.isEmpty() || taken + queue.peek().rows() <= maxBatchRows)) {
      Work<?> work = queue.poll();
      taken += work.rows();
      queuedRows -= work.rows();
      batch.add(work);
    }
    return batch;
  }

  private void run(List<Work<?>> taken) {
    // Work of sessions closed while it was queued is dropped: nobody waits for it.
    List<Work<?>> batch = new ArrayList<>(taken.size());
    List<ScoringModel.Input> inputs = new ArrayList<>(taken.size());
    for (Work<?> work : taken) {
      if (work.session.isClosed()) {
        work.failWith(new SessionClosedException("session " + work.session.id + " is closed"));
        work.complete();
      } else {
        batch.add(work);
        inputs.add(work.input);
      }
    }
    if (batch.isEmpty()) {
      synchronized (this) {
        running--;
        busy.set(false, busyClock.getAsLong());
      }
      maybeFlush();
      return;
    }
    long started = System.nanoTime();
    try {
      model.forward(inputs).whenComplete((logits, error) -> finish(batch, logits, error, started));
    } catch (RuntimeException e) {
      finish(batch, null, e, started);
    }
  }

  /**
   * @param started when the batch's forward was started ({@link System#nanoTime})
   */
  private void finish(List<Work<?>> batch, List<float[][]> logits, Throwable error, long started) {
    int batchRows = 0;
    for (int i = 0; i < batch.size(); i++) {
      batchRows += batch.get(i).rows();
      if (error != null) {
        batch.get(i).failWith(error);
      } else {
        batch.get(i).compute(logits.get(i));
      }
    }
    // What the batch's calls waited for together: the forward and their verdicts.
    long forwardNanos = System.nanoTime() - started;
    int waiting;
    synchronized (this) {
      waiting = running >= maxRunning ? queue.size() : 0; // queued while no thread was free
      running--;
      freeSinceNanos = System.nanoTime();
      busy.set(false, busyClock.getAsLong());
    }
    if (error == null) {
      callCost.batchDone(modelCpuSincePreviousBatch(), batch.size(), batchRows);
      rowCost.batchDone(forwardNanos, batch.size(), batchRows, waiting);
    }
    // Callers may submit their next work from these completions; the flush below sees it.
    for (Work<?> work : batch) {
      work.complete();
    }
    maybeFlush();
  }
}
