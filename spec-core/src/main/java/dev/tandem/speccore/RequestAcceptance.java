package dev.tandem.speccore;

/**
 * One request's acceptance estimate, blended with its (drafter, verifier) pair's global estimate:
 *
 * <pre>
 *   α_request = (accepted + w_g · α_global) / (trials + w_g)
 * </pre>
 *
 * so a fresh request starts at the pair's α and moves toward its own observed rate as its trials
 * outweigh w_g (default {@value #DEFAULT_GLOBAL_WEIGHT}). A request's prompt matters a lot to α
 * (code and repetitive text draft far better), hence the per-request term; the global term keeps
 * the first steps sensible. Trials are counted as in {@link AcceptanceStats}; no decay within a
 * request.
 *
 * <p>Threading: used by one request's loop, never concurrently (not thread-safe); its updates of
 * the shared {@link AcceptanceStats} are thread-safe.
 */
public final class RequestAcceptance {

  public static final double DEFAULT_GLOBAL_WEIGHT = 8;

  private final AcceptanceStats global;
  private final double globalWeight;
  private int accepted;
  private int trials;

  /**
   * @param global the pair's shared statistics; updated by {@link #record}
   * @param globalWeight w_g > 0, how many trials the global estimate is worth
   */
  public RequestAcceptance(AcceptanceStats global, double globalWeight) {
    if (global == null) {
      throw new IllegalArgumentException("global must not be null");
    }
    if (!(globalWeight > 0) || Double.isInfinite(globalWeight)) {
      throw new IllegalArgumentException(
          "globalWeight must be finite and > 0, got " + globalWeight);
    }
    this.global = global;
    this.globalWeight = globalWeight;
  }

  /** Records one step of this request, here and in the pair's global statistics. */
  public void record(int proposed, int accepted) {
    int stepTrials = AcceptanceStats.trials(proposed, accepted);
    this.trials += stepTrials;
    this.accepted += accepted;
    global.record(proposed, accepted);
  }

  /** The blended estimate of α for this request. */
  public double alpha() {
    return (accepted + globalWeight * global.alpha()) / (trials + globalWeight);
  }

  /** Trials recorded by this request. */
  public int trials() {
    return trials;
  }
}
