package dev.tandem.verifier.engine;

import java.util.function.LongSupplier;

/**
 * What one call costs a CPU server's throughput beyond the rows it scores, in scored rows. A verify
 * call is also decoded, scheduled, answered and framed (gRPC and HTTP/2 on the event loops): work
 * that does not grow with the rows, so a router pricing a busy server's steps by their rows alone
 * took each call's cost to be shared by the batch and decoded plain, while a draft of 2 (fewer
 * calls for the same tokens) served 1.4× the tokens (BENCHMARKS.md, issue 14).
 *
 * <p>Measured over windows of at least {@link #WINDOW_NANOS} with {@link #MIN_CALLS} calls: the
 * process's CPU time, the model threads' CPU time (the forwards, and the verdicts computed after
 * them), calls and rows. The CPU outside the model threads is the calls' work. It costs the model
 * throughput only as far as no core is idle to run it on: with {@code cores} cores and the process
 * using {@code used} of them, {@code idle = cores − used}, and of the calls' work (running at
 * {@code rate} cores) the share {@code (rate − idle) / rate} (clamped to 0..1) takes the model's
 * cores. Each window's {@code (that share of the calls' CPU per call) / (model CPU per row)} moves
 * the reported figure by {@link #WEIGHT}.
 *
 * <p>The model's CPU is what its threads report; a backend that spreads one forward over threads of
 * its own (ND4J's native pool) is undercounted there and overcounted as call work.
 *
 * <p>Threading: {@link #batchDone} from the model threads (synchronized), {@link #callCostRows}
 * from any thread (a volatile read).
 */
final class CallCostMeter {

  static final long WINDOW_NANOS = 500_000_000L;
  static final long MIN_CALLS = 32;
  static final double WEIGHT = 0.3;

  private final LongSupplier clock;
  private final LongSupplier processCpuNanos;
  private final int cores;
  private long windowStart;
  private long cpuAtStart;
  private long modelCpu;
  private long calls;
  private long rows;
  private volatile double callCostRows; // written under the lock, read without it
  private boolean measured;

  /**
   * @param clock nanoseconds ({@link System#nanoTime} but in tests)
   * @param processCpuNanos the process's CPU time so far
   * @param cores cores the process may run on, >= 1
   */
  CallCostMeter(LongSupplier clock, LongSupplier processCpuNanos, int cores) {
    if (cores < 1) {
      throw new IllegalArgumentException("cores must be >= 1, got " + cores);
    }
    this.clock = clock;
    this.processCpuNanos = processCpuNanos;
    this.cores = cores;
    this.windowStart = clock.getAsLong();
    this.cpuAtStart = processCpuNanos.getAsLong();
  }

  /** The meter of this process: its CPU time and the cores it may use. */
  static CallCostMeter ofThisProcess() {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return new CallCostMeter(
        System::nanoTime, os::getProcessCpuTime, Runtime.getRuntime().availableProcessors());
  }

  /**
   * A batch finished on a model thread.
   *
   * @param modelCpuNanos CPU time that model thread spent since its previous batch finished
   * @param batchCalls the batch's calls (verifies and opens)
   * @param batchRows the rows it scored
   */
  synchronized void batchDone(long modelCpuNanos, int batchCalls, int batchRows) {
    modelCpu += Math.max(0, modelCpuNanos);
    calls += batchCalls;
    rows += batchRows;
    long now = clock.getAsLong();
    long wall = now - windowStart;
    if (wall < WINDOW_NANOS || calls < MIN_CALLS) {
      return;
    }
    long cpu = processCpuNanos.getAsLong();
    double window = estimate(cpu - cpuAtStart, modelCpu, calls, rows, wall, cores);
    if (window >= 0) {
      callCostRows = measured ? callCostRows + WEIGHT * (window - callCostRows) : window;
      measured = true;
    }
    windowStart = now;
    cpuAtStart = cpu;
    modelCpu = 0;
    calls = 0;
    rows = 0;
  }

  /** Rows one call costs, 0 until a window was measured. Read at every submit: no lock. */
  double callCostRows() {
    return callCostRows;
  }

  /**
   * One window's figure (see the class comment); −1 when it says nothing (no model CPU or rows).
   *
   * @param cpu the process's CPU time over the window
   * @param model the model threads' CPU time over it
   * @param wall the window's length
   */
  static double estimate(double cpu, double model, long calls, long rows, double wall, int cores) {
    if (!(model > 0) || rows <= 0 || calls <= 0 || !(wall > 0)) {
      return -1;
    }
    double callWork = Math.max(0, cpu - model);
    if (callWork == 0) {
      return 0;
    }
    double rate = callWork / wall; // cores' worth of call work
    double idle = Math.max(0, cores - cpu / wall);
    double competing = Math.min(1, Math.max(0, (rate - idle) / rate));
    return (competing * callWork / calls) / (model / rows);
  }
}
