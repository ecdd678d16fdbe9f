package dev.tandem.speccore;

/**
 * Chooses the draft length k from the acceptance rate α, latencies, prices and a budget, under the
 * i.i.d. acceptance model of Leviathan et al. (2023): each draft token is accepted with probability
 * α independently, so one step with k drafts yields
 *
 * <pre>
 *   E(k) = (1 − α^(k+1)) / (1 − α)             expected tokens per step (k + 1 when α = 1)
 *   T(k) = (k·t_draft + t_verify(k)) / E(k)     expected time per token, t_verify(k) = a + b·(k+1)
 *   C(k) = (price_call + price_position·(k+1) + price_draft·k) / E(k)   expected cost per token
 * </pre>
 *
 * <p>The prices' shape decides what speculation is for. With {@link VerifierPricing.SelfHosted}
 * pricing the call dominates, C(k) falls as E(k) grows and longer drafts save money. With {@link
 * VerifierPricing.PerToken} pricing C(0) = price_position is the minimum (E(k) ≤ k + 1), so
 * drafting only buys latency: MIN_COST_WITHIN_LATENCY picks k = 0 unless the latency target needs
 * more, and MIN_LATENCY_WITHIN_COST drafts only as far as the cost limit allows.
 *
 * <p>{@link #chooseK} minimises the {@link Objective}'s quantity over k in [0, kMax] among the k
 * that satisfy its constraint; when none does, it picks the k that violates it least. Ties, and
 * near-ties within a relative {@link #TIE}, go to the smaller k. k = 0 (plain decoding) wins
 * whenever drafting cannot pay for itself.
 *
 * <p>Pure functions; thread-safe.
 */
public final class SpeculationPolicy {

  /**
   * Relative difference below which two values of the objective count as equal, the smaller k
   * winning.
   */
  public static final double TIE = 1e-9;

  private SpeculationPolicy() {}

  /** E(k): expected tokens produced by one step with k drafts. */
  public static double expectedTokens(double alpha, int k) {
    requireAlpha(alpha);
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0, got " + k);
    }
    if (alpha >= 1) {
      return k + 1;
    }
    return (1 - Math.pow(alpha, k + 1)) / (1 - alpha);
  }

  /** T(k): expected time per generated token, in the latency model's unit. */
  public static double timePerToken(double alpha, int k, LatencyModel latency) {
    return (k * latency.draftPerToken() + latency.verifyTime(k)) / expectedTokens(alpha, k);
  }

  /** C(k): expected cost per generated token, in the prices' unit. */
  public static double costPerToken(double alpha, int k, Prices prices) {
    return prices.stepCost(k) / expectedTokens(alpha, k);
  }

  /**
   * The best k in [0, kMax] for the objective.
   *
   * @param limitPerToken the constraint's bound: cost per token for {@link
   *     Objective#MIN_LATENCY_WITHIN_COST}, time per token for {@link
   *     Objective#MIN_COST_WITHIN_LATENCY}; {@code Double.POSITIVE_INFINITY} for none
   */
  public static int chooseK(
      double alpha,
      int kMax,
      LatencyModel latency,
      Prices prices,
      Objective objective,
      double limitPerToken) {
    return chooseK(alpha, kMax, latency, prices, objective, limitPerToken, null);
  }

  /**
   * As {@link #chooseK(double, int, LatencyModel, Prices, Objective, double)}, with a measured
   * overhead per step of each k ({@link StepCosts}) added to its step time: T(k) = (k·t_draft +
   * t_verify(k) + overhead[k]) / E(k), never below 0.
   *
   * @param overheadNanos per k in 0..kMax, in the latency model's unit; null for none
   */
  public static int chooseK(
      double alpha,
      int kMax,
      LatencyModel latency,
      Prices prices,
      Objective objective,
      double limitPerToken,
      double[] overheadNanos) {
    requireAlpha(alpha);
    DraftBlock.requireLength("kMax", kMax);
    double[] expected = new double[kMax + 1];
    for (int k = 0; k <= kMax; k++) {
      expected[k] = expectedTokens(alpha, k);
    }
    return chooseK(expected, latency, prices, objective, limitPerToken, overheadNanos);
  }

  /**
   * As {@link #chooseK(double, int, LatencyModel, Prices, Objective, double, double[])} with the
   * expected tokens per step given per k instead of derived from one α (e.g. from acceptance
   * measured per draft position, {@link RequestAcceptance#expectedTokens}).
   *
   * @param expected E(k) for k = 0..kMax: {@code [kMax + 1]}, E(0) = 1
   * @param overheadNanos per k in 0..kMax, in the latency model's unit; null for none
   */
  public static int chooseK(
      double[] expected,
      LatencyModel latency,
      Prices prices,
      Objective objective,
      double limitPerToken,
      double[] overheadNanos) {
    int kMax = expected.length - 1;
    DraftBlock.requireLength("kMax", kMax);
    if (Double.isNaN(limitPerToken)) {
      throw new IllegalArgumentException("limitPerToken must not be NaN");
    }
    if (overheadNanos != null && overheadNanos.length < kMax + 1) {
      throw new IllegalArgumentException(
          "overheadNanos must have kMax + 1 = "
              + (kMax + 1)
              + " entries, got "
              + overheadNanos.length);
    }
    boolean latencyFirst = objective == Objective.MIN_LATENCY_WITHIN_COST;
    double[] value = new double[kMax + 1]; // the quantity minimised, per k
    double[] excess = new double[kMax + 1]; // constrained quantity − limit, per k
    boolean anyFeasible = false;
    for (int k = 0; k <= kMax; k++) {
      double stepTime = k * latency.draftPerToken() + latency.verifyTime(k);
      if (overheadNanos != null) {
        stepTime += overheadNanos[k];
      }
      double time = Math.max(0, stepTime / expected[k]);
      double cost = prices.stepCost(k) / expected[k];
      value[k] = latencyFirst ? time : cost;
      excess[k] = (latencyFirst ? cost : time) - limitPerToken;
      anyFeasible |= excess[k] <= 0;
    }
    if (!anyFeasible) {
      return smallestNearMinimum(excess, null);
    }
    return smallestNearMinimum(value, excess);
  }

  /**
   * The smallest k whose value is within {@link #TIE} (relative) of the minimum over the k with
   * {@code excess[k] <= 0} (all k when {@code excess} is null). Treating near-ties as ties keeps
   * vanishing gains (α^k below float noise) from lengthening drafts.
   */
  private static int smallestNearMinimum(double[] value, double[] excess) {
    double min = Double.POSITIVE_INFINITY;
    for (int k = 0; k < value.length; k++) {
      if (excess == null || excess[k] <= 0) {
        min = Math.min(min, value[k]);
      }
    }
    for (int k = 0; k < value.length; k++) {
      if ((excess == null || excess[k] <= 0) && value[k] <= min + Math.abs(min) * TIE) {
        return k;
      }
    }
    throw new IllegalStateException("no k in range; unreachable for kMax >= 0");
  }

  private static void requireAlpha(double alpha) {
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
    }
  }
}
