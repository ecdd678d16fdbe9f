package dev.tandem.speccore;

/**
 * The draft length that serves a pair's streams the most tokens per unit of their time at one load,
 * found by measuring it rather than predicting it (SmartSpec and TurboSpec choose one k for a batch
 * by its goodput). Time runs in epochs; in each, every request that follows the epochs drafts the
 * epoch's k, and the epoch's goodput is the tokens its steps emitted over their cycles, summed
 * (tokens per second of one stream; the streams are closed loops, so the pair serves that many
 * times more). The epochs take turns on a center k and its two neighbours ({@link #SCHEDULE}: the
 * center four times in six), each k's goodput is an exponentially weighted mean over its epochs,
 * and the center moves to a neighbour whose goodput beats its own by more than {@link #MARGIN} (the
 * next epoch then tries one further that way, so a far center walks to the best k an epoch a step).
 *
 * <p>Why measured: with many streams sharing the verifier's batches, what a step costs is read off
 * batches that other streams fill. At 32 remote streams the pair's fitted costs swung from one
 * batch to the next (a verify call's fixed part 0–140 ms, a position 0.4–39 ms), each request's k
 * followed them, and since E(k) is concave the spread served fewer tokens than one k for all: the
 * model's choices, bounded within one of their mean, read 0.92–0.99× fixed k = 2 (BENCHMARKS.md).
 * One k at a time for all, chosen by what the streams were measured to get, has no spread and no
 * model to be wrong. The first steps of each epoch ({@code warmIn}: one per stream of the level)
 * are not measured: they run beside the steps of the epoch before.
 *
 * <p>Threading: thread-safe; {@link #current} is a volatile read, {@link #record} takes a lock.
 */
public final class GoodputEpochs {

  /**
   * One epoch: the k its steps draft. A step is recorded against the epoch it was chosen in, and
   * ignored once that epoch is over.
   */
  public record Epoch(long id, int k) {}

  /** The epochs' k as offsets from the center, in turn; an offset outside 0..kMax is the center. */
  static final int[] SCHEDULE = {0, 0, 1, 0, 0, -1};

  private static final int UP = 2; // SCHEDULE's slot of +1
  private static final int DOWN = 5; // and of -1

  /** Weight of one epoch in a k's goodput: about the last three epochs of that k. */
  static final double WEIGHT = 0.3;

  /** How much more goodput a neighbour must show than the center to become the center. */
  static final double MARGIN = 0.02;

  /** Steps an epoch measures at least. */
  static final int MIN_MEASURED = 128;

  /** Steps an epoch measures per stream of its level, when that is more. */
  static final int MEASURED_PER_STREAM = 8;

  private final int warmIn;
  private final int measured;
  // Per k: tokens per ns over its epochs, guarded by this.
  private final WeightedMean[] goodput = new WeightedMean[DraftBlock.MAX_DRAFT + 1];
  private volatile Epoch current; // null until started
  // Guarded by this:
  private int kMax;
  private int center;
  private int slot;
  private int seen; // steps recorded in the current epoch, warm-in included
  private long tokens;
  private long nanos;

  /**
   * @param streams the streams of the load level these epochs serve (its power of two, {@link
   *     StepCostRegistry#streamsOf}), 2 or more (one stream alone has no batch-mates to be noise in
   *     its costs)
   */
  public GoodputEpochs(int streams) {
    if (streams < 2) {
      throw new IllegalArgumentException("streams must be >= 2, got " + streams);
    }
    this.warmIn = streams;
    this.measured = Math.max(MIN_MEASURED, MEASURED_PER_STREAM * streams);
    for (int k = 0; k < goodput.length; k++) {
      goodput[k] = new WeightedMean(WEIGHT);
    }
  }

  /** The epoch in force; null until {@link #start}. */
  public Epoch current() {
    return current;
  }

  /**
   * Starts the epochs at {@code center} unless they were started; returns the epoch in force.
   *
   * @param center the first center, 0..kMax (e.g. the k the pair's requests' model chose, rounded)
   * @param kMax the largest k the epochs try, 0..{@link DraftBlock#MAX_DRAFT}
   */
  public synchronized Epoch start(int center, int kMax) {
    DraftBlock.requireLength("kMax", kMax);
    if (center < 0 || center > kMax) {
      throw new IllegalArgumentException("center must be in 0.." + kMax + ", got " + center);
    }
    if (current == null) {
      this.kMax = kMax;
      this.center = center;
      current = new Epoch(0, center);
    }
    return current;
  }

  /**
   * Records one step chosen in {@code epoch}: {@code tokens} emitted over a cycle of {@code
   * cycleNanos}. Ends the epoch once it has measured its steps, and starts the next.
   */
  public synchronized void record(Epoch epoch, int tokens, long cycleNanos) {
    if (tokens < 0 || cycleNanos <= 0) {
      throw new IllegalArgumentException(
          "tokens must be >= 0 and cycleNanos > 0, got " + tokens + " and " + cycleNanos);
    }
    if (epoch != current) {
      return; // chosen in an epoch that is over
    }
    if (++seen <= warmIn) {
      return;
    }
    this.tokens += tokens;
    this.nanos += cycleNanos;
    if (seen == warmIn + measured) {
      endEpoch();
    }
  }

  private void endEpoch() { // guarded by this
    int k = current.k();
    goodput[k].add((double) tokens / nanos);
    if (k != center && goodputOf(k) > goodputOf(center) * (1 + MARGIN)) {
      // Moved: the next epoch tries one further the same way (the new center was just measured).
      slot = k > center ? UP : DOWN;
      center = k;
    } else {
      slot = (slot + 1) % SCHEDULE.length;
    }
    int next = center + SCHEDULE[slot];
    if (next < 0 || next > kMax) {
      next = center;
    }
    current = new Epoch(current.id() + 1, next);
    seen = 0;
    tokens = 0;
    nanos = 0;
  }

  private double goodputOf(int k) { // guarded by this
    return goodput[k].count() == 0 ? 0 : goodput[k].mean();
  }

  /** The center k; -1 until started. */
  public synchronized int center() {
    return current == null ? -1 : center;
  }

  /** Measured goodput of k in tokens per second of one stream; NaN if no epoch of k ended yet. */
  public synchronized double tokensPerSecond(int k) {
    DraftBlock.requireLength("k", k);
    return goodput[k].count() == 0 ? Double.NaN : goodput[k].mean() * 1e9;
  }
}
