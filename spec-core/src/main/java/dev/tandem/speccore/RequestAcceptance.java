package dev.tandem.speccore;

import java.util.function.BooleanSupplier;

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
 * <p>A request whose steps must not depend on other requests while it is alone (sampled with a
 * client seed, see {@link #sharingWhen}) reads a pair estimate of its own at those times.
 *
 * <p>Threading: used by one request's loop, never concurrently (not thread-safe); its updates of
 * the shared {@link AcceptanceStats} are thread-safe.
 */
public final class RequestAcceptance {

  public static final double DEFAULT_GLOBAL_WEIGHT = 8;

  private final AcceptanceStats global;
  private final double globalWeight;
  private final AcceptanceStats own; // read instead of global while sharing is false; null: never
  private final BooleanSupplier sharing;
  private int accepted;
  private int trials;
  private final double[] positions = new double[DraftBlock.MAX_DRAFT]; // scratch of expectedTokens

  /**
   * @param global the pair's shared statistics; updated by {@link #record}
   * @param globalWeight w_g > 0, how many trials the global estimate is worth
   */
  public RequestAcceptance(AcceptanceStats global, double globalWeight) {
    this(global, globalWeight, null, () -> true);
  }

  private RequestAcceptance(
      AcceptanceStats global, double globalWeight, AcceptanceStats own, BooleanSupplier sharing) {
    if (global == null || sharing == null) {
      throw new IllegalArgumentException("global and sharing must not be null");
    }
    if (!(globalWeight > 0) || Double.isInfinite(globalWeight)) {
      throw new IllegalArgumentException(
          "globalWeight must be finite and > 0, got " + globalWeight);
    }
    this.global = global;
    this.globalWeight = globalWeight;
    this.own = own;
    this.sharing = sharing;
  }

  /**
   * A request that reads the pair's estimate {@code global} while {@code sharing} holds (e.g. other
   * streams are in flight), and otherwise one with the default prior that only its own steps update
   * ({@link AcceptanceStats#withDefaults()}), so that what it reads then depends on nothing but its
   * own steps. Its steps update both.
   */
  public static RequestAcceptance sharingWhen(
      AcceptanceStats global, double globalWeight, BooleanSupplier sharing) {
    return new RequestAcceptance(global, globalWeight, AcceptanceStats.withDefaults(), sharing);
  }

  /** The pair estimate read now. */
  private AcceptanceStats pair() {
    return own == null || sharing.getAsBoolean() ? global : own;
  }

  /**
   * Records one step of this request, here and in the pair's global statistics (and in its own pair
   * estimate, if it has one: {@link #sharingWhen}).
   */
  public void record(int proposed, int accepted) {
    int stepTrials = AcceptanceStats.trials(proposed, accepted);
    this.trials += stepTrials;
    this.accepted += accepted;
    global.record(proposed, accepted);
    if (own != null) {
      own.record(proposed, accepted);
    }
  }

  /** The blended estimate of α for this request. */
  public double alpha() {
    return blended(pair().alpha());
  }

  /** This request's α blended with the pair's {@code pair}. */
  private double blended(double pair) {
    return (accepted + globalWeight * pair) / (trials + globalWeight);
  }

  /**
   * Expected tokens per step for k = 0..kMax: {@code [kMax + 1]}, E(k) = 1 + Σ_{j ≤ k} Π_{i ≤ j}
   * α_i, where α_i is the pair's acceptance at draft position i ({@link
   * AcceptanceStats#positionAlphas}) scaled by this request's α over the pair's (capped at 1). With
   * the same α at every position this is the geometric model's E(k) for this request's α.
   */
  public double[] expectedTokens(int kMax) {
    DraftBlock.requireLength("kMax", kMax);
    double[] expected = new double[kMax + 1];
    expectedTokens(expected);
    return expected;
  }

  /**
   * As {@link #expectedTokens(int)} with kMax = {@code expected.length − 1}, written into {@code
   * expected} (the speculation loop's own array, reused every step: nothing allocated).
   *
   * @return this request's α ({@link #alpha()}), from the same read of the pair's counts
   */
  public double expectedTokens(double[] expected) {
    int kMax = expected.length - 1;
    if (kMax < 0 || kMax > DraftBlock.MAX_DRAFT) {
      throw new IllegalArgumentException(
          "expected must hold 1.." + (DraftBlock.MAX_DRAFT + 1) + " entries, got " + (kMax + 1));
    }
    double pair = pair().positionAlphas(positions);
    double own = blended(pair);
    double scale = pair > 0 ? own / pair : 1;
    expected[0] = 1;
    double survive = 1;
    for (int k = 1; k <= kMax; k++) {
      double alphaAt = pair > 0 ? Math.min(1, positions[k - 1] * scale) : own;
      survive *= alphaAt;
      expected[k] = expected[k - 1] + survive;
    }
    return own;
  }

  /** Trials recorded by this request. */
  public int trials() {
    return trials;
  }
}
