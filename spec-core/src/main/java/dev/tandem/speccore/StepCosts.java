package dev.tandem.speccore;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a speculation step costs beyond what the latency model sees, learned per draft length k from
 * finished steps and shared by the requests of one (drafter, verifier) pair at one load level
 * ({@link StepCostRegistry}). A step's <em>cycle</em> runs from choosing its k to choosing the next
 * step's: drafting and verifying (which the {@link LatencyModel} predicts from measured latencies)
 * plus everything around them — handing the tokens to the client, hops between threads, the chooser
 * itself, waiting behind other requests' work on a shared thread. The overhead of arm k is an
 * exponentially weighted mean of {@code cycle − (k · t_draft + t_verify(k))} over its steps; the
 * policy adds it to the arm's step time ({@link SpeculationPolicy#chooseK(double, int,
 * LatencyModel, Prices, Objective, double, double[])}), so an arm whose steps cost more than their
 * model work (a draft hand-off per step, say) is priced as it really is, and plain decoding wins
 * where speculation does not pay.
 *
 * <p>An arm with fewer than {@link #MIN_SAMPLES} samples borrows the overhead of the nearest arm of
 * its kind that has them (drafting arms from drafting arms; plain decoding only from itself), and
 * is taken as 0 when none has.
 *
 * <p>Also shared per pair and load: the latency fit of all its requests' steps ({@link #latency}),
 * so that a new request starts from what the pair's steps cost rather than a generic prior, and the
 * schedule of plain probes ({@link #takePlainProbe}).
 *
 * <p>Threading: thread-safe; any thread may record or read (the overheads lock-free, the latency
 * fit under a lock of its own).
 */
public final class StepCosts {

  /** Samples an arm needs before its own mean is used. */
  public static final int MIN_SAMPLES = 4;

  /** EWMA weight of one sample. */
  public static final double WEIGHT = 0.05;

  private static final int ARMS = DraftBlock.MAX_DRAFT + 1;

  // Per arm k: the mean overhead in nanoseconds (as double bits) and the sample count.
  private final AtomicLongArray meanBits = new AtomicLongArray(ARMS);
  private final AtomicLongArray samples = new AtomicLongArray(ARMS);
  private final AtomicLong draftingSincePlain = new AtomicLong();
  // The pair's verify and draft latencies at this load, fitted over every request's steps.
  private final Object latencyLock = new Object();
  private LatencyEstimator latency; // guarded by latencyLock; null until the first step

  /**
   * Records one step of arm k.
   *
   * @param k draft tokens the step proposed, 0..{@link DraftBlock#MAX_DRAFT}
   * @param cycleNanos the step's measured cycle
   * @param modelNanos what the latency model predicted for its drafting and verifying
   */
  public void record(int k, double cycleNanos, double modelNanos) {
    checkArm(k);
    double sample = cycleNanos - modelNanos;
    if (!Double.isFinite(sample)) {
      return;
    }
    if (k == 0) {
      draftingSincePlain.set(0);
    } else {
      draftingSincePlain.incrementAndGet();
    }
    long n = samples.getAndIncrement(k);
    while (true) {
      long bits = meanBits.get(k);
      double mean = Double.longBitsToDouble(bits);
      // The first samples get a plain mean (weight 1/n), then the EWMA weight.
      double next = mean + Math.max(WEIGHT, 1.0 / (n + 1)) * (sample - mean);
      if (meanBits.compareAndSet(k, bits, Double.doubleToRawLongBits(next))) {
        return;
      }
    }
  }

  /** The overhead per step of arm k in nanoseconds (see the class comment for arms not sampled). */
  public double overheadNanos(int k) {
    checkArm(k);
    if (samples.get(k) >= MIN_SAMPLES) {
      return Double.longBitsToDouble(meanBits.get(k));
    }
    if (k == 0) {
      return 0;
    }
    for (int d = 1; d < ARMS; d++) {
      for (int j : new int[] {k - d, k + d}) {
        if (j >= 1 && j < ARMS && samples.get(j) >= MIN_SAMPLES) {
          return Double.longBitsToDouble(meanBits.get(j));
        }
      }
    }
    return 0;
  }

  /** Overheads of arms 0..kMax, for {@link SpeculationPolicy}. */
  public double[] overheads(int kMax) {
    double[] out = new double[kMax + 1];
    for (int k = 0; k <= kMax; k++) {
      out[k] = overheadNanos(k);
    }
    return out;
  }

  /**
   * Whether a plain step is due as a probe: true for one caller once {@code every} drafting steps
   * were recorded since the last plain one. Requests that always draft never measure what a plain
   * step costs, and a latency fit over one draft length alone cannot tell a verify call's fixed
   * cost from its cost per position (the fixed part absorbs both, and plain decoding looks as dear
   * as a whole block); one plain step in {@code every}, shared by the pair's requests, lets it.
   */
  public boolean takePlainProbe(int every) {
    long n = draftingSincePlain.get();
    return n >= every && draftingSincePlain.compareAndSet(n, 0);
  }

  /**
   * The pair's latency model at this load, fitted over the steps of all its requests ({@link
   * #observe}); {@code prior} until a step was observed.
   */
  public LatencyModel latency(LatencyModel prior) {
    synchronized (latencyLock) {
      return latency == null ? prior : latency.current();
    }
  }

  /**
   * Folds one step's measured latencies into the pair's fit (the first step starts it from {@code
   * prior}, whose cost per position stays until draft lengths have varied).
   */
  public void observe(StepRecord step, LatencyModel prior) {
    synchronized (latencyLock) {
      if (latency == null) {
        latency = new LatencyEstimator(prior, LatencyEstimator.DEFAULT_WEIGHT);
      }
      latency.observe(step);
    }
  }

  /** Steps recorded for arm k. */
  public long samples(int k) {
    checkArm(k);
    return samples.get(k);
  }

  private static void checkArm(int k) {
    if (k < 0 || k >= ARMS) {
      throw new IllegalArgumentException("k must be in 0.." + (ARMS - 1) + ", got " + k);
    }
  }
}
