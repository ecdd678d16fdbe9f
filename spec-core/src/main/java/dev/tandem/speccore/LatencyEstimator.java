package dev.tandem.speccore;

/**
 * Exponentially weighted estimate of a request's {@link LatencyModel} from measured steps.
 *
 * <ul>
 *   <li>t_draft: EWMA of {@code draftingNanos / proposed} over steps that proposed tokens: the
 *       drafter's work per token ({@link StepRecord#draftingNanos}), not the draft stage's waiting
 *       for a thread shared with other requests or its catch-up after plain steps, which cost a
 *       step, not a token (a shared drafter thread made t_draft read 24–70 ms where a draft token
 *       costs 0.3 ms; BENCHMARKS.md).
 *   <li>t_verify(k) = a + b·(k+1): EWMA means of x = k + 1, y = verifyNanos, x² and x·y give the
 *       weighted least-squares line {@code b = cov(x, y) / var(x)}, {@code a = mean(y) −
 *       b·mean(x)}. While x has barely varied ({@code var(x) < }{@value #MIN_POSITION_VARIANCE}) b
 *       cannot be separated from a, so the last b (initially the prior's) is kept and only a moves.
 *       Both are clamped at 0.
 * </ul>
 *
 * <p>Each new measurement gets weight {@code weight}; the prior is replaced by the first one.
 * Threading: confined to one request's loop (not thread-safe).
 */
public final class LatencyEstimator {

  public static final double DEFAULT_WEIGHT = 0.2;
  static final double MIN_POSITION_VARIANCE = 0.25;

  private final double weight;
  private LatencyModel current;
  private boolean sawDraft;
  private final WeightedLine verify = new WeightedLine(); // x = k + 1, y = verifyNanos

  /**
   * @param prior the model used until measurements arrive
   * @param weight in (0, 1], the EWMA weight of each new measurement
   */
  public LatencyEstimator(LatencyModel prior, double weight) {
    if (prior == null) {
      throw new IllegalArgumentException("prior must not be null");
    }
    if (!(weight > 0 && weight <= 1)) {
      throw new IllegalArgumentException("weight must be in (0, 1], got " + weight);
    }
    this.current = prior;
    this.weight = weight;
  }

  /** The current estimate. */
  public LatencyModel current() {
    return current;
  }

  /** Folds in one step's measured latencies. */
  public void observe(StepRecord step) {
    double draftPerToken = current.draftPerToken();
    if (step.proposed() > 0) {
      double measured = (double) step.draftingNanos() / step.proposed();
      draftPerToken = sawDraft ? ewma(draftPerToken, measured) : measured;
      sawDraft = true;
    }
    // The first measurement replaces the prior's line.
    verify.add(step.verifierPositions(), step.verifyNanos(), verify.points() == 0 ? 1 : weight);
    double perPosition =
        Math.max(0, verify.slope(MIN_POSITION_VARIANCE, current.verifyPerPosition()));
    double fixed = verify.meanY() - perPosition * verify.meanX();
    if (fixed < 0) {
      fixed = 0;
      perPosition = verify.meanY() / verify.meanX();
    }
    current = new LatencyModel(draftPerToken, fixed, perPosition);
  }

  private double ewma(double old, double sample) {
    return old + weight * (sample - old);
  }
}
