package dev.tandem.speccore;

import java.util.Arrays;

/**
 * One draft length for all the streams of a (drafter, verifier) pair at one load level, chosen by
 * what each length measured when every stream used it: for a remote verifier that says it is
 * throughput-bound, where a request pricing its own steps cannot tell what its positions cost the
 * others ({@link AdaptiveDraftLength#sharingKWhenBusy}).
 *
 * <p>Why measured and not priced: a busy server's batch shares a call's forward, but not the work
 * around it (transport, serialization, the server's and the router's per-call handling), and how
 * much of a call that is depends on the deployment. On the 2-vCPU bench box a verify call cost
 * about two scored positions of CPU, so k = 1–4 paid 1.2–1.3× at 32 and 128 streams, where pricing
 * positions by their marginal work alone chose plain decoding (BENCHMARKS.md). When every stream of
 * the pair drafts the same k at the same time, a step's cycle (from choosing its k to choosing the
 * next) is what k costs when everyone uses it, so tokens per stream-second under each k compare the
 * shared choices directly, which is what a fixed-k benchmark does.
 *
 * <p>Schedule: the clock's time is cut into slices of {@code sliceNanos}, numbered from the clock's
 * zero, so that every instance on the same clock agrees on the slice. An epoch of {@code
 * arms.length + exploitSlices} slices tries each arm for one slice, in order, then takes the best
 * arm measured so far for the rest. A step counts for the arm and slice it was chosen in; a slice's
 * tokens per stream-second become one sample of its arm's rate (an exponentially weighted mean,
 * weight {@value #WEIGHT}) once a step chosen two slices later is recorded (steps that end after
 * their slice are still counted, so long cycles are not dropped). The best arm is the one with the
 * highest rate among those sampled; plain decoding until any is.
 *
 * <p>Threading: thread-safe (one lock per instance).
 */
public final class SharedDraftLength {

  /** EWMA weight of one slice's rate. */
  static final double WEIGHT = 0.3;

  /** The arms tried by default: plain decoding and drafts of 1, 2, 4 and 8 tokens. */
  static final int[] DEFAULT_ARMS = {0, 1, 2, 4, 8};

  /** Slice length by default. */
  static final long DEFAULT_SLICE_NANOS = 500_000_000L;

  /** Slices of the best arm per epoch by default (an epoch of 5 arms is 10 s). */
  static final int DEFAULT_EXPLOIT_SLICES = 15;

  /** Slices kept open for late steps: a slice is folded once a step two slices later arrives. */
  private static final int OPEN = 4;

  private final int[] arms;
  private final long sliceNanos;
  private final int exploitSlices;
  // Guarded by this: per arm index, the rate (tokens per stream-nanosecond; NaN before a sample);
  // the open slices' sums in a ring by slice number (openSlice MIN_VALUE: unused).
  private final double[] rate;
  private final long[] openSlice = new long[OPEN];
  private final int[] openArm = new int[OPEN]; // the arm index the slice's first step had
  private final double[] openTokens = new double[OPEN];
  private final double[] openNanos = new double[OPEN];
  private int best; // index into arms

  /** The default arms, 500 ms slices, 15 exploiting slices per epoch. */
  public SharedDraftLength() {
    this(DEFAULT_ARMS, DEFAULT_SLICE_NANOS, DEFAULT_EXPLOIT_SLICES);
  }

  /**
   * @param arms the draft lengths to compare, distinct, each 0..{@link DraftBlock#MAX_DRAFT}; plain
   *     (0) first
   * @param sliceNanos how long each slice lasts, > 0
   * @param exploitSlices slices of the best arm per epoch, >= 0
   */
  SharedDraftLength(int[] arms, long sliceNanos, int exploitSlices) {
    if (arms.length == 0 || arms[0] != 0) {
      throw new IllegalArgumentException("arms must start with 0, got " + Arrays.toString(arms));
    }
    for (int i = 1; i < arms.length; i++) {
      if (arms[i] <= arms[i - 1] || arms[i] > DraftBlock.MAX_DRAFT) {
        throw new IllegalArgumentException(
            "arms must rise within 0.." + DraftBlock.MAX_DRAFT + ", got " + Arrays.toString(arms));
      }
    }
    if (sliceNanos <= 0 || exploitSlices < 0) {
      throw new IllegalArgumentException(
          "sliceNanos must be > 0 and exploitSlices >= 0, got "
              + sliceNanos
              + " and "
              + exploitSlices);
    }
    this.arms = arms.clone();
    this.sliceNanos = sliceNanos;
    this.exploitSlices = exploitSlices;
    this.rate = new double[arms.length];
    Arrays.fill(rate, Double.NaN);
    Arrays.fill(openSlice, Long.MIN_VALUE);
  }

  /** The slice {@code nowNanos} falls in. */
  public long sliceAt(long nowNanos) {
    return Math.floorDiv(nowNanos, sliceNanos);
  }

  /** The draft length for steps chosen in {@code slice}. */
  public int armFor(long slice) {
    int position = (int) Math.floorMod(slice, (long) arms.length + exploitSlices);
    if (position < arms.length) {
      return arms[position];
    }
    synchronized (this) {
      return arms[best];
    }
  }

  /**
   * Records one step chosen in {@code slice} with draft length {@code k} (ignored unless k is one
   * of the arms and the slice's arm).
   *
   * @param tokens tokens the step delivered
   * @param cycleNanos from choosing the step's k to choosing the next step's
   */
  public synchronized void record(long slice, int k, int tokens, long cycleNanos) {
    if (k != armFor(slice) || cycleNanos <= 0 || tokens < 0) {
      return;
    }
    for (int i = 0; i < OPEN; i++) {
      if (openSlice[i] != Long.MIN_VALUE && openSlice[i] <= slice - 2) {
        fold(i);
      }
    }
    int i = (int) Math.floorMod(slice, (long) OPEN);
    int arm = Arrays.binarySearch(arms, k);
    if (openSlice[i] != slice) {
      if (openSlice[i] > slice) {
        return; // a step later than two slices: its slice was folded already
      }
      openSlice[i] = slice;
      openArm[i] = arm;
    } else if (openArm[i] != arm) {
      return; // the best arm changed during this exploiting slice: it counts for the first
    }
    openTokens[i] += tokens;
    openNanos[i] += cycleNanos;
  }

  /** The arm's rate in tokens per stream-second; NaN before its first slice was folded. */
  public synchronized double tokensPerSecond(int k) {
    int i = Arrays.binarySearch(arms, k);
    return i < 0 ? Double.NaN : rate[i] * 1e9;
  }

  /** Turns open slice {@code i} into a sample of its arm's rate and picks the best arm again. */
  private void fold(int i) {
    int arm = openArm[i];
    double sample = openTokens[i] / openNanos[i];
    rate[arm] = Double.isNaN(rate[arm]) ? sample : (1 - WEIGHT) * rate[arm] + WEIGHT * sample;
    openSlice[i] = Long.MIN_VALUE;
    openTokens[i] = 0;
    openNanos[i] = 0;
    for (int a = 0; a < arms.length; a++) {
      if (!Double.isNaN(rate[a]) && (Double.isNaN(rate[best]) || rate[a] > rate[best])) {
        best = a;
      }
    }
  }
}
