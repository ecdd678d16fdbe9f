package dev.tandem.speccore;

/**
 * Online estimate of the per-token acceptance rate α of one (drafter, verifier) pair, shared by all
 * requests that use the pair.
 *
 * <p>Counting: a step that proposes k tokens and accepts n made {@code n + 1} Bernoulli trials with
 * n successes when {@code n < k} (the first rejection ends the step), and k trials with k successes
 * when {@code n = k}. Counting trials rather than proposed tokens keeps the estimate unbiased for
 * the geometric model behind {@link SpeculationPolicy}; tokens after the first rejection were never
 * tried.
 *
 * <p>Estimate: a Beta(α₀·w, (1 − α₀)·w) prior (default α₀ = {@value #DEFAULT_PRIOR_ALPHA}, w =
 * {@value #DEFAULT_PRIOR_WEIGHT} trials) plus success and failure counts that are multiplied by
 * {@code decay} at every step that made a trial, so old steps fade (effective memory about {@code 1
 * / (1 − decay)} steps) and α follows drift (prompt types, config changes). α = (successes + α₀·w)
 * / (trials + w), the posterior mean.
 *
 * <p>Per draft position: the same counts are kept for each position j of a block (a trial at j when
 * the first j − 1 drafts were accepted), so {@link #positionAlphas} gives α_j = P(draft j accepted
 * | drafts 1..j − 1 accepted), each shrunk toward the pooled α with the prior's weight. Real
 * acceptance is not i.i.d.: a block that survived its first drafts is in an easy stretch of text,
 * and α_j rises with j, which makes long drafts pay more than the geometric model says.
 *
 * <p>Threading: thread-safe; any thread may record or read. The counts are updated in place under
 * the instance's lock, held for a few dozen arithmetic operations: every step of every request of
 * the pair records and reads here, and a fresh copy of the counts per step (the lock-free form this
 * replaced) was a tenth of the router's allocation per streamed chunk (BENCHMARKS.md).
 */
public final class AcceptanceStats {

  public static final double DEFAULT_PRIOR_ALPHA = 0.6;
  public static final double DEFAULT_PRIOR_WEIGHT = 10;
  public static final double DEFAULT_DECAY = 0.995;

  private final double priorAlpha;
  private final double priorWeight;
  private final double decay;
  // Decayed counts, guarded by this. Per draft position: [MAX_DRAFT], entry j for position j + 1.
  private double successes;
  private double failures;
  private final double[] positionTrials = new double[DraftBlock.MAX_DRAFT];
  private final double[] positionSuccesses = new double[DraftBlock.MAX_DRAFT];

  /**
   * @param priorAlpha α₀ in [0, 1], the estimate before any data
   * @param priorWeight w > 0, how many trials the prior is worth
   * @param decay in (0, 1], the factor applied to old counts per recorded step (1 = never forget)
   */
  public AcceptanceStats(double priorAlpha, double priorWeight, double decay) {
    if (!(priorAlpha >= 0 && priorAlpha <= 1)) {
      throw new IllegalArgumentException("priorAlpha must be in [0, 1], got " + priorAlpha);
    }
    if (!(priorWeight > 0) || Double.isInfinite(priorWeight)) {
      throw new IllegalArgumentException("priorWeight must be finite and > 0, got " + priorWeight);
    }
    if (!(decay > 0 && decay <= 1)) {
      throw new IllegalArgumentException("decay must be in (0, 1], got " + decay);
    }
    this.priorAlpha = priorAlpha;
    this.priorWeight = priorWeight;
    this.decay = decay;
  }

  /** Stats with the default prior and decay. */
  public static AcceptanceStats withDefaults() {
    return new AcceptanceStats(DEFAULT_PRIOR_ALPHA, DEFAULT_PRIOR_WEIGHT, DEFAULT_DECAY);
  }

  /** Bernoulli trials a step made: see the class comment. */
  public static int trials(int proposed, int accepted) {
    if (proposed < 0 || accepted < 0 || accepted > proposed) {
      throw new IllegalArgumentException(
          "accepted must be in 0..proposed and proposed >= 0, got accepted = "
              + accepted
              + ", proposed = "
              + proposed);
    }
    return accepted < proposed ? accepted + 1 : accepted;
  }

  /** Records one step; steps with no draft tokens carry no information and change nothing. */
  public void record(int proposed, int accepted) {
    int trials = trials(proposed, accepted);
    if (trials == 0) {
      return;
    }
    synchronized (this) {
      successes = successes * decay + accepted;
      failures = failures * decay + trials - accepted;
      for (int j = 0; j < DraftBlock.MAX_DRAFT; j++) {
        positionTrials[j] = positionTrials[j] * decay + (j < trials ? 1 : 0);
        positionSuccesses[j] = positionSuccesses[j] * decay + (j < accepted ? 1 : 0);
      }
    }
  }

  /** The current posterior-mean estimate of α. */
  public synchronized double alpha() {
    return pooled();
  }

  private double pooled() {
    return (successes + priorAlpha * priorWeight) / (successes + failures + priorWeight);
  }

  /**
   * α_j for draft positions j = 1..{@link DraftBlock#MAX_DRAFT}: {@code [MAX_DRAFT]}, entry j − 1 =
   * (successes at j + α·w) / (trials at j + w), with α the pooled estimate and w the prior's
   * weight, so a position with few trials stays near the pooled α.
   */
  public double[] positionAlphas() {
    double[] alphas = new double[DraftBlock.MAX_DRAFT];
    positionAlphas(alphas);
    return alphas;
  }

  /**
   * As {@link #positionAlphas()}, written into {@code alphas} (at least {@link
   * DraftBlock#MAX_DRAFT} long; the first MAX_DRAFT entries are set); returns the pooled α they
   * were shrunk toward, from the same counts.
   */
  public synchronized double positionAlphas(double[] alphas) {
    double pooled = pooled();
    for (int j = 0; j < DraftBlock.MAX_DRAFT; j++) {
      alphas[j] = (positionSuccesses[j] + pooled * priorWeight) / (positionTrials[j] + priorWeight);
    }
    return pooled;
  }

  /**
   * A per-request view whose prior is this pair's current α, and whose steps also update this pair.
   */
  public RequestAcceptance forRequest() {
    return new RequestAcceptance(this, RequestAcceptance.DEFAULT_GLOBAL_WEIGHT);
  }

  @Override
  public String toString() {
    return "AcceptanceStats[alpha=" + alpha() + "]";
  }
}
