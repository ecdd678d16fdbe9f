package dev.tandem.speccore;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a speculation step costs beyond what the latency model sees, learned from finished steps and
 * shared by the requests of one (drafter, verifier) pair at one load level ({@link
 * StepCostRegistry}). A step's <em>cycle</em> runs from choosing its k to choosing the next step's:
 * drafting and verifying (which the {@link LatencyModel} predicts from measured latencies) plus
 * everything around them — handing the tokens to the client, hops between threads, the chooser
 * itself, waiting behind other requests' work on a shared thread (a drafter thread that many
 * streams share). A step's overhead sample is {@code cycle − (drafting + verifying)} as measured;
 * the policy adds the learned overhead of each k to its step time ({@link
 * SpeculationPolicy#chooseK(double, int, LatencyModel, Prices, Objective, double, double[])}), so a
 * k whose steps cost more than their model work (a draft hand-off per step, say) is priced as it
 * really is, and plain decoding wins where speculation does not pay.
 *
 * <p>Plain decoding's overhead is an exponentially weighted mean over plain steps, each weighted by
 * the steps a stream of the level took since the plain one before ({@link #plainWeight}). Drafting
 * steps' overhead is a line in k, {@code o(k) = a + b·k}, fitted over all of them (exponentially
 * weighted least squares, as {@link LatencyEstimator} fits verify time): a cost per drafting step
 * (a hand-off, the wait for a shared drafter thread) and a cost per draft token. Fitting one line
 * pools every drafting step: a mean per k, each fed only by the steps of that k, read 2–97 ms for
 * neighbouring k at 32 remote streams and sent the chooser to whichever k had drawn a quiet sample.
 * Until {@link #MIN_SAMPLES} steps of a kind were recorded, its overhead is the prior's (the tier's
 * cost per drafting step, {@link StepPrior#draftStepNanos}, 0 without one), a drafting arm's on top
 * of the plain steps' measured overhead ({@link #overheads}): taken as 0, the embedded default's
 * first requests on the repetitive workload drafted k = 4–8 until their pair had measured what
 * drafting steps cost (BENCHMARKS.md).
 *
 * <p>Also shared per pair and load: the latency fit of all its requests' steps ({@link #latency}),
 * so that a new request starts from what the pair's steps cost rather than a generic prior, with
 * each kind of step's own measured verifies beside it ({@link #verifyExcess}), the schedule of
 * plain probes ({@link #takePlainProbe}), the goodput epochs ({@link #epochs}), and the mean k its
 * requests chose ({@link #meanChosenK}), which bounds each request's k ({@link
 * AdaptiveDraftLength#SPREAD}).
 *
 * <p>Threading: thread-safe; any thread may record or read (the overheads, the latency fit and the
 * choices each under a lock of their own).
 */
public final class StepCosts {

  /** Samples a kind of step (plain, drafting) needs before its overhead is used. */
  public static final int MIN_SAMPLES = 4;

  /** EWMA weight of one sample, in the overheads and in the pair's latency fit. */
  public static final double WEIGHT = 0.05;

  private static final int ARMS = DraftBlock.MAX_DRAFT + 1;

  /** Weight of one choice in the mean of the k chosen ({@link #meanChosenK}): about 50 choices. */
  public static final double CHOICE_WEIGHT = 0.02;

  /** Choices the mean of the k chosen needs before it is read. */
  public static final int MIN_CHOICES = 16;

  /**
   * The most one plain step's sample moves the plain estimates ({@link #plainWeight}): half of the
   * way to it, however long ago the last plain step was.
   */
  public static final double MAX_PLAIN_WEIGHT = 0.5;

  /**
   * Share of the pair's plain decoding time its requests' probes may spend ({@link #takeProbe}).
   */
  public static final double PROBE_SHARE = 0.01;

  private final AtomicLongArray samples = new AtomicLongArray(ARMS); // per k, for reporting
  private final AtomicLong draftingSincePlain = new AtomicLong();
  private final Object overheadLock = new Object();
  // Guarded by overheadLock: plain steps' mean overhead; drafting steps' line o(k), x = k and y =
  // overhead (ns).
  private final WeightedMean plain = new WeightedMean(WEIGHT);
  private final WeightedLine drafting = new WeightedLine();
  private long draftingRecordedSincePlain; // guarded by overheadLock
  private final Object choiceLock = new Object();
  private final WeightedMean chosen = new WeightedMean(CHOICE_WEIGHT); // guarded by choiceLock
  // The pair's verify and draft latencies at this load, fitted over every request's steps.
  private final Object latencyLock = new Object();
  private LatencyEstimator latency; // guarded by latencyLock; null until the first step
  // Guarded by latencyLock: measured verify time of plain steps, and of drafting steps with their
  // positions, each kind's own (see verifyExcess).
  private final WeightedMean plainVerify = new WeightedMean(WEIGHT);
  private final WeightedMean draftingVerify = new WeightedMean(WEIGHT);
  private final WeightedMean draftingPositions = new WeightedMean(WEIGHT);
  // Drafting steps since the last plain one, for plainWeight: one count per lock, as record and
  // observe see a step at different times (draftingSincePlain is reset by takePlainProbe).
  private long draftingObservedSincePlain; // guarded by latencyLock
  private final int streams; // of the load level
  private final GoodputEpochs epochs; // null for one stream
  private final Object probeLock = new Object();
  private double probeCredit; // guarded by probeLock; ns, never above 0 (no credit stockpiled)

  /** The costs of a pair at one stream. */
  public StepCosts() {
    this(1);
  }

  /**
   * @param streams the streams of the load level these costs serve (its power of two, {@link
   *     StepCostRegistry#streamsOf}), 1 or more: from 2, the pair's requests also share {@link
   *     #epochs}
   */
  public StepCosts(int streams) {
    if (streams < 1) {
      throw new IllegalArgumentException("streams must be >= 1, got " + streams);
    }
    this.streams = streams;
    this.epochs = streams > 1 ? new GoodputEpochs(streams) : null;
  }

  /**
   * The pair's goodput epochs at this load ({@link AdaptiveDraftLength}: requests that no limit
   * binds draft the epoch's k while the verifier is not throughput-bound); null at one stream,
   * where a request's own acceptance and latencies choose its k.
   */
  public GoodputEpochs epochs() {
    return epochs;
  }

  /**
   * Records one step of arm k.
   *
   * @param k draft tokens the step proposed, 0..{@link DraftBlock#MAX_DRAFT}
   * @param cycleNanos the step's measured cycle
   * @param modelNanos its measured drafting and verifying
   */
  public void record(int k, double cycleNanos, double modelNanos) {
    DraftBlock.requireLength("k", k);
    double sample = cycleNanos - modelNanos;
    if (!Double.isFinite(sample)) {
      return;
    }
    if (k == 0) {
      draftingSincePlain.set(0);
    } else {
      draftingSincePlain.incrementAndGet();
    }
    samples.incrementAndGet(k);
    synchronized (overheadLock) {
      if (k == 0) {
        plain.add(sample, plainWeight(draftingRecordedSincePlain, streams));
        draftingRecordedSincePlain = 0;
      } else {
        drafting.addAveragingFirst(k, sample, WEIGHT);
        draftingRecordedSincePlain++;
      }
    }
  }

  /**
   * The weight of a plain step's sample in the plain estimates (its overhead, its verify time)
   * after {@code draftingSince} drafting steps of the pair at a level of {@code streams}: {@link
   * #WEIGHT} for each step a stream took since the last plain one, {@code 1 − (1 − WEIGHT)^(1 +
   * draftingSince / streams)}, at most {@link #MAX_PLAIN_WEIGHT}. While the pair drafts, its plain
   * samples are probes, one in {@value AdaptiveDraftLength#PLAIN_PROBE_EVERY} steps; weighted as
   * one sample each, the plain estimates of one stream held its first plain steps (a cold JIT, the
   * first chunks' hand-offs: 0.9 ms of overhead against ~0.04 ms later) for hundreds of steps, and
   * at one in-process stream priced plain at 1.3–2.0 ms a token, drafting chosen for 40 requests
   * where it loses (BENCHMARKS.md). At many streams the pair's probes come from all of them, often
   * enough for a stream's pace; weighted ½ each (32 of the pair's steps), the plain estimates of 32
   * remote streams followed every probe (mixed read 0.96–1.00× the best fixed k in three runs,
   * against 0.96–1.03× before; BENCHMARKS.md).
   */
  static double plainWeight(long draftingSince, int streams) {
    double steps = 1 + (double) draftingSince / streams;
    return Math.min(MAX_PLAIN_WEIGHT, 1 - Math.pow(1 - WEIGHT, steps));
  }

  /**
   * Overheads of arms 0..kMax, for {@link SpeculationPolicy}. A kind of step (plain, drafting) with
   * fewer than {@link #MIN_SAMPLES} samples takes {@code prior}'s (per k; null: 0); an unmeasured
   * drafting arm also carries the plain steps' learned overhead, since the prior's drafting-step
   * cost is what a drafting step costs beyond a plain one, and the overhead every step carries (its
   * hand-offs) is measured on plain steps long before drafting ones. Without it an unmeasured
   * drafting step looked cheaper than a plain one by that overhead: at one in-process stream, plain
   * priced with its measured 0.31 ms beside drafting steps at the prior's 0.6 ms made k = 2 look 5
   * % cheaper a token than plain, where on that box it costs 50 % more (BENCHMARKS.md).
   */
  public double[] overheads(int kMax, double[] prior) {
    double[] out = new double[kMax + 1];
    synchronized (overheadLock) {
      double plainOverhead = learnedOverhead(0);
      for (int k = 0; k <= kMax; k++) {
        double learned = learnedOverhead(k);
        if (!Double.isNaN(learned)) {
          out[k] = learned;
          continue;
        }
        double beyondPlain = prior == null ? 0 : prior[k];
        out[k] = k > 0 && !Double.isNaN(plainOverhead) ? plainOverhead + beyondPlain : beyondPlain;
      }
    }
    return out;
  }

  /** Arm k's learned overhead (never below 0 for drafting); NaN before its kind has samples. */
  private double learnedOverhead(int k) { // guarded by overheadLock
    if (k == 0) {
      return plain.count() >= MIN_SAMPLES ? plain.mean() : Double.NaN;
    }
    if (drafting.points() < MIN_SAMPLES) {
      return Double.NaN;
    }
    double perToken = drafting.slope(LatencyEstimator.MIN_POSITION_VARIANCE, 0);
    return Math.max(0, drafting.meanY() + perToken * (k - drafting.meanX()));
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
   * Whether one of the pair's requests may probe now (draft one token after a run of plain steps,
   * {@link AdaptiveDraftLength}): a probe costs what its step waited for the draft beyond a plain
   * step, which is a whole prompt's prefill where the request's draft session opened lazily, so
   * probes are paid from a credit that plain steps earn ({@link #earnProbeCredit}), {@link
   * #PROBE_SHARE} of their time: true for one caller while no probe is owed, the probe's cost then
   * owed ({@link #chargeProbe}). A pair that decodes plain keeps its acceptance estimate fresh at a
   * bounded share of its time, however dear a probe is.
   */
  public boolean takeProbe() {
    synchronized (probeLock) {
      if (probeCredit < 0) {
        return false;
      }
      probeCredit = -1; // no other probe until this one's cost is charged and earned back
      return true;
    }
  }

  /** What a probe taken with {@link #takeProbe} cost beyond a plain step, in nanoseconds. */
  public void chargeProbe(double extraNanos) {
    if (extraNanos > 0 && Double.isFinite(extraNanos)) {
      synchronized (probeLock) {
        probeCredit -= extraNanos;
      }
    }
  }

  /** A plain step of {@code nanos} earns {@link #PROBE_SHARE} of them for probes. */
  public void earnProbeCredit(double nanos) {
    if (nanos > 0 && Double.isFinite(nanos)) {
      synchronized (probeLock) {
        probeCredit = Math.min(0, probeCredit + PROBE_SHARE * nanos);
      }
    }
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
        latency = new LatencyEstimator(prior, WEIGHT);
      }
      latency.observe(step);
      if (step.proposed() == 0) {
        plainVerify.add(step.verifyNanos(), plainWeight(draftingObservedSincePlain, streams));
        draftingObservedSincePlain = 0;
      } else {
        draftingVerify.add(step.verifyNanos());
        draftingPositions.add(step.verifierPositions());
        draftingObservedSincePlain++;
      }
    }
  }

  /**
   * Per arm 0..kMax, how much longer the pair's steps of its kind (plain, drafting) were measured
   * to verify than {@code fit} says (negative where it says longer); 0 for a kind with fewer than
   * {@link #MIN_SAMPLES} steps observed. {@code fit} is the latency model the caller prices with
   * (the pair's, from {@link #latency}), so that each arm's price and its correction agree even
   * when other streams' steps move the pair's fit in between. Added to each arm's overhead, plain
   * decoding is priced at what the pair's plain steps measured, and drafting at what its drafting
   * steps measured, moved along the fit's cost per position for a k other than theirs.
   *
   * <p>Why: the fit is one line over every step, while a step beside drafting verifies slower than
   * one instead of it when the drafter's thread and the verifier's share a small CPU. At one
   * in-process stream on two vCPUs, a fit made mostly of drafting steps read a verify call 0.6–1.4
   * ms and priced plain steps at 1.2–1.8 ms a token where they take ~0.5 ms; drafting, which loses
   * there at every k, looked cheaper and was chosen for 50–100 requests (BENCHMARKS.md). And a fit
   * made mostly of plain steps prices drafting at plain steps' verifies. Each kind's own level
   * keeps both where they were measured, whichever kind the fit holds more of.
   */
  public double[] verifyExcess(int kMax, LatencyModel fit) {
    DraftBlock.requireLength("kMax", kMax);
    double[] out = new double[kMax + 1];
    synchronized (latencyLock) {
      if (plainVerify.count() >= MIN_SAMPLES) {
        out[0] = plainVerify.mean() - fit.verifyTime(0);
      }
      if (draftingVerify.count() >= MIN_SAMPLES) {
        double atTheirPositions =
            fit.verifyFixed() + fit.verifyPerPosition() * draftingPositions.mean();
        Arrays.fill(out, 1, kMax + 1, draftingVerify.mean() - atTheirPositions);
      }
    }
    return out;
  }

  /**
   * Records the k a request's policy chose for a step, before any bound on it.
   *
   * @return {@link #meanChosenK} as it was before this choice
   */
  public double chose(int k) {
    DraftBlock.requireLength("k", k);
    synchronized (choiceLock) {
      double before = meanOfChoices();
      chosen.add(k);
      return before;
    }
  }

  /**
   * The mean of the k the pair's requests chose at this load ({@link #chose}), exponentially
   * weighted over about the last 50 choices; NaN until {@link #MIN_CHOICES} were made.
   */
  public double meanChosenK() {
    synchronized (choiceLock) {
      return meanOfChoices();
    }
  }

  private double meanOfChoices() { // guarded by choiceLock
    return chosen.count() >= MIN_CHOICES ? chosen.mean() : Double.NaN;
  }

  /** Steps recorded for arm k. */
  public long samples(int k) {
    DraftBlock.requireLength("k", k);
    return samples.get(k);
  }
}
