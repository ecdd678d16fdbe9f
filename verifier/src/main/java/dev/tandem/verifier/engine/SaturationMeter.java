package dev.tandem.verifier.engine;

import java.time.Duration;

/**
 * The share of recent time during which every model thread was busy, as an exponentially decayed
 * time average (time constant {@code tau}): each stretch of time moves the share toward 1 (all
 * threads busy) or 0 by {@code 1 − exp(−length / tau)}.
 *
 * <p>Time, not work items, is what says whether the server has compute to spare. Counting the items
 * that found the threads busy called a server saturated whenever its sessions' requests arrived
 * together (each queued behind the first one's forward), although the model then sat idle for the
 * rest of the sessions' round trip: at 8 streams over a 25 ms network hop the item count read above
 * 0.75 while the model was busy a fraction of the time, and routers turned speculation down that
 * still paid 1.8× (BENCHMARKS.md, issue 14).
 *
 * <p>Threading: not thread-safe; its owner calls it under its own lock.
 */
final class SaturationMeter {

  private final double tauNanos;
  private long since;
  private boolean saturated;
  private double share;

  /**
   * @param tau how fast the share forgets, > 0
   * @param nowNanos the clock's reading at creation (the model idle)
   */
  SaturationMeter(Duration tau, long nowNanos) {
    if (tau.isNegative() || tau.isZero()) {
      throw new IllegalArgumentException("tau must be > 0, got " + tau);
    }
    this.tauNanos = tau.toNanos();
    this.since = nowNanos;
  }

  /** From {@code nowNanos} on, every model thread is busy ({@code true}) or some is free. */
  void set(boolean allBusy, long nowNanos) {
    advance(nowNanos);
    saturated = allBusy;
  }

  /** The share at {@code nowNanos}, 0..1. */
  double share(long nowNanos) {
    advance(nowNanos);
    return share;
  }

  private void advance(long nowNanos) {
    long elapsed = nowNanos - since;
    if (elapsed <= 0) {
      return;
    }
    double weight = -Math.expm1(-elapsed / tauNanos);
    share += ((saturated ? 1 : 0) - share) * weight;
    share = Math.min(1, Math.max(0, share));
    since = nowNanos;
  }
}
