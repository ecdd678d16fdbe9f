package dev.tandem.draft;

import dev.tandem.speccore.WeightedMean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one more draft token costs the other requests waiting for the same drafter thread, in
 * nanoseconds: the drafter's time per token times the proposals queued behind the one being
 * drafted, per model thread. Streams whose verifier answers them together propose together, and one
 * drafter thread serves them one after another (the wait for it was 8–33 ms of a drafting step at
 * 32 remote streams, its drafting under a millisecond; BENCHMARKS.md); a stream that drafts long
 * delays every proposal behind it.
 *
 * <p>Proposals are counted from their submission until their block completes (whatever the
 * outcome); when one starts drafting on the model thread, those still pending besides it are the
 * ones queued behind it (the executor serves in order). The figure is an exponentially weighted
 * mean over drafted proposals ({@link #WEIGHT}) whose memory spans several bursts: streams that one
 * batch of verdicts answered propose together, so within a burst the proposals behind fall from the
 * burst's size to none, and a mean that forgot a burst's head within its tail (0.05 a proposal at
 * 32 streams) read mostly the tail's few and priced draft tokens at a fraction of their cost.
 *
 * <p>Threading: thread-safe; {@link #submitted} and {@link #finished} from the loops, {@link
 * #drafted} from model threads, {@link #costToOthersPerTokenNanos} from any thread.
 */
final class DraftQueueMeter {

  static final double WEIGHT = 0.005;

  private final int threads;
  private final AtomicInteger pending = new AtomicInteger();
  private final WeightedMean samples = new WeightedMean(WEIGHT); // guarded by itself
  private volatile double costPerToken; // samples' mean, read without the lock

  /**
   * @param threads the model threads drafting in parallel, >= 1
   */
  DraftQueueMeter(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
  }

  void submitted() {
    pending.incrementAndGet();
  }

  void finished() {
    pending.decrementAndGet();
  }

  /** On the model thread, as a proposal starts drafting: the proposals queued behind it. */
  int queuedBehind() {
    return Math.max(0, pending.get() - 1);
  }

  /**
   * A proposal drafted {@code tokens} tokens in {@code nanos} with {@code behind} proposals queued
   * behind it.
   */
  void drafted(long nanos, int tokens, int behind) {
    if (tokens < 1 || nanos < 0) {
      return;
    }
    double sample = (double) nanos / tokens * behind / threads;
    synchronized (samples) {
      samples.add(sample);
      costPerToken = samples.mean();
    }
  }

  /** What one more draft token adds to the other requests' wait, ns; 0 until measured. */
  double costToOthersPerTokenNanos() {
    return costPerToken;
  }
}
