package dev.tandem.speccore;

import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Chooses k per step with {@link SpeculationPolicy} from the request's expected tokens per step
 * ({@link LoopState#expectedTokens(int)}: acceptance per draft position, or the geometric model for
 * its α) and its measured latencies ({@link LatencyEstimator}).
 *
 * <p>The constraint's limit per token is, for {@link Objective#MIN_LATENCY_WITHIN_COST}, the cost
 * budget left divided by the tokens left ({@code (budget − spent) / remainingTokens}, spent from
 * the prices and the counts in {@link LoopState}), so a request that overspent early drafts less
 * later; for {@link Objective#MIN_COST_WITHIN_LATENCY} it is the fixed time-per-token target. k is
 * also capped at {@code remainingTokens − 1}: drafts beyond the limit would be paid for and
 * dropped.
 *
 * <p>Probing: steps with k = 0 teach nothing about α, so a request whose estimate fell low early
 * would never draft again. After {@code probeEvery} plain steps in a row the chooser drafts one
 * token (k = 1) if k = 1 satisfies the constraint, refreshing the estimate at a bounded cost (at
 * most one draft token per {@code probeEvery} steps). It does not probe when no acceptance rate
 * could make drafting pay under the step's pricing (cheapest k under per-token pricing is always 0;
 * so is the fastest k on a throughput-bound CPU verifier, see {@link #throughputBoundWhen}). A
 * probe's draft may cost far more than one token: a draft session opened lazily prefills the whole
 * context with it (on the fixture pair at one in-process stream, probes of a third of the chat
 * requests cost them 2–13 % of their decode time: BENCHMARKS.md). So a request learning step costs
 * probes only while its pair can pay ({@link StepCosts#takeProbe}: at most 1 % ({@link
 * StepCosts#PROBE_SHARE}) of the pair's plain decoding time goes to probes), and one that learns
 * only beside other streams probes, while alone, only once it has drafted.
 *
 * <p>Step costs (optional, {@link #learningStepCosts}): each k is priced with the overhead its
 * steps were measured to carry beyond drafting and verifying, learned across requests ({@link
 * StepCosts}), so that speculation is turned down or off where its steps cost more than the latency
 * model sees (thread hand-offs per draft, a verifier shared with many streams). The latency model
 * is then the pair's, fitted over all its requests' steps at the current load (plain and drafting
 * steps each priced at the verify times measured for their kind, {@link StepCosts#verifyExcess}),
 * and one drafting step in {@value #PLAIN_PROBE_EVERY} of the pair's is taken plain, so that the
 * fit and the plain arm's overhead reflect what plain decoding costs now (requests that always
 * drafted never learned it, and their fit charged plain steps with a whole block's verify time).
 * Each k is also kept within {@value #SPREAD} of the mean k the pair's requests chose at this load.
 * From two streams up, a request that no cost budget or latency target binds drafts the k of the
 * pair's goodput epoch at this load instead ({@link GoodputEpochs}: one k for all, moved to where
 * the streams were measured to be served fastest), unless the verifier is throughput-bound; the
 * policy's choices still start the epochs (their mean is the first center) and serve the other
 * requests.
 *
 * <p>Threading: one instance per request, used by its loop only (see {@link DraftLengthChooser}).
 */
public final class AdaptiveDraftLength implements DraftLengthChooser {

  /** Overheads above this (and above 4× the step's model time) are not learned from: a pause. */
  static final long MAX_OVERHEAD_NANOS = 5_000_000;

  /** Probe interval used by the constructor without one. */
  public static final int DEFAULT_PROBE_EVERY = 32;

  /** Drafting steps of a pair (all its requests at one load) after which one step is plain. */
  static final int PLAIN_PROBE_EVERY = 32;

  /**
   * How far a learning request's k may stray from the mean k its pair's requests chose at this load
   * ({@link StepCosts#meanChosenK}, rounded outward): E(k) is concave, so drafts spread around a
   * mean serve fewer tokens per drafted token than that mean would for every step, at the same
   * drafting and scoring cost. The spread was noise: at 32 remote streams the pair's fitted costs
   * swung from one batch to the next (a verify call's fixed part 0–140 ms, a position 0.4–39 ms),
   * each request's k followed them over 0..8 (23–38 % plain, 13–16 % above 4), and adaptive served
   * 0.89–0.95× the tokens of k = 2 at a mean k of 2.1–2.6 (BENCHMARKS.md). Within one of the mean,
   * requests with high acceptance still draft longer than those with low.
   */
  static final int SPREAD = 1;

  private final int kMax;
  private final Prices prices;
  private final Objective objective;
  private final double budget;
  private final LatencyEstimator latencies;
  private final int probeEvery;
  private int plainStepsInARow;
  private boolean probing; // the step chosen last is a learning request's probe
  private boolean drafted; // a step of this request proposed draft tokens
  // Step costs (optional): where overheads are learned and read, and the step being timed.
  private Supplier<StepCosts> stepCosts;
  private LongSupplier clock;
  // With stepCosts: which steps learn; null: every step, and this request's own latencies too.
  private BooleanSupplier learnWhen;
  private StepCosts timedCosts; // the costs the step being timed learns from; null: none
  private BooleanSupplier busy; // null: never throughput-bound
  private DoubleSupplier callCostPositions = () -> 0; // while busy: a call's own cost
  private DoubleSupplier positionCostToOthers = () -> 0; // ns a position adds to others' verifies
  private DoubleSupplier draftCostToOthers = () -> 0; // ns a draft token adds to queued drafts
  private double[] priorOverheads; // per k, when steps are priced with a prior's; null: none
  private long chosenAtNanos = -1;
  private int timedArm = -1;
  private long timedModelNanos;
  private int timedEmitted;
  private GoodputEpochs.Epoch timedEpoch; // the epoch the timed step drafted for; null: none

  /**
   * @param kMax largest k tried, 0..{@link DraftBlock#MAX_DRAFT}
   * @param prices what positions and drafts cost
   * @param objective what to minimise
   * @param budget for MIN_LATENCY_WITHIN_COST the request's total cost budget; for
   *     MIN_COST_WITHIN_LATENCY the target time per token in nanoseconds; {@code
   *     Double.POSITIVE_INFINITY} for none
   * @param latencies the request's latency estimator (fed by {@link #observe})
   */
  public AdaptiveDraftLength(
      int kMax, Prices prices, Objective objective, double budget, LatencyEstimator latencies) {
    this(kMax, prices, objective, budget, latencies, DEFAULT_PROBE_EVERY);
  }

  /**
   * @param probeEvery plain steps in a row after which one k = 1 step is tried; 0 = never probe
   */
  public AdaptiveDraftLength(
      int kMax,
      Prices prices,
      Objective objective,
      double budget,
      LatencyEstimator latencies,
      int probeEvery) {
    if (probeEvery < 0) {
      throw new IllegalArgumentException("probeEvery must be >= 0 (0 = never), got " + probeEvery);
    }
    DraftBlock.requireLength("kMax", kMax);
    if (prices == null || objective == null || latencies == null) {
      throw new IllegalArgumentException("prices, objective and latencies must not be null");
    }
    if (!(budget >= 0)) {
      throw new IllegalArgumentException("budget must be >= 0, got " + budget);
    }
    this.kMax = kMax;
    this.prices = prices;
    this.objective = objective;
    this.budget = budget;
    this.latencies = latencies;
    this.probeEvery = probeEvery;
  }

  /** Fastest k with no cost limit, starting from the given latency prior. */
  public static AdaptiveDraftLength fastest(int kMax, LatencyModel prior) {
    return new AdaptiveDraftLength(
        kMax,
        Prices.FREE,
        Objective.MIN_LATENCY_WITHIN_COST,
        Double.POSITIVE_INFINITY,
        new LatencyEstimator(prior, LatencyEstimator.DEFAULT_WEIGHT));
  }

  /**
   * Learns what steps cost beyond their drafting and verifying ({@link StepCosts}) and prices each
   * k with it: every step's cycle, from this chooser's call for it to its call for the next step,
   * is timed with {@code clock} and recorded in the costs {@code costs} gives at that moment (e.g.
   * the pair's at the current load). Without it, steps cost what the latency model says.
   *
   * @return this
   */
  public AdaptiveDraftLength learningStepCosts(Supplier<StepCosts> costs, LongSupplier clock) {
    if (costs == null || clock == null) {
      throw new IllegalArgumentException("costs and clock must not be null");
    }
    this.stepCosts = costs;
    this.clock = clock;
    return this;
  }

  /**
   * As {@link #learningStepCosts}, on the steps where {@code when} holds. The other steps are
   * priced from what this request was built with alone (its latency prior, {@link
   * #pricingDraftSteps}) and teach nothing, and the request's own latencies are never learned:
   * while {@code when} is false, its k depends on nothing measured. For a request whose output
   * depends on its k (sampled with a client seed), with {@code when} saying that other streams
   * share its verifier and drafter, so that its output depends on their traffic anyway.
   *
   * @return this
   */
  public AdaptiveDraftLength learningStepCostsWhen(
      Supplier<StepCosts> costs, LongSupplier clock, BooleanSupplier when) {
    if (when == null) {
      throw new IllegalArgumentException("when must not be null");
    }
    learningStepCosts(costs, clock);
    this.learnWhen = when;
    return this;
  }

  /**
   * Prices every drafting step (k > 0) with a fixed cost beyond its tokens, for a chooser that does
   * not learn step costs ({@link StepPrior#draftStepNanos}); with {@link #learningStepCosts}, until
   * the pair's measured overheads replace it ({@link StepCosts#overheads(int, double[])}).
   *
   * @return this
   */
  public AdaptiveDraftLength pricingDraftSteps(double draftStepNanos) {
    LatencyModel.requireNonNegative("draftStepNanos", draftStepNanos);
    if (draftStepNanos == 0) {
      priorOverheads = null;
      return this;
    }
    priorOverheads = new double[kMax + 1];
    Arrays.fill(priorOverheads, 1, kMax + 1, draftStepNanos);
    return this;
  }

  /**
   * Says when the verifier is throughput-bound, its work shared with other streams (a local
   * verifier batching several streams on one compute thread): then each k is priced by its marginal
   * work alone — drafting, the positions it adds, the overhead its steps carry beyond plain ones —
   * since a step's fixed cost is shared and paid anyway. On a CPU, where a scored position costs
   * about what a decoded token does, that means plain decoding: tokens per scored position E(k) /
   * (k + 1) is below 1 for every k > 0 (vLLM turns speculation off at high batch sizes for this
   * reason).
   *
   * @return this
   */
  public AdaptiveDraftLength throughputBoundWhen(BooleanSupplier busy) {
    return throughputBoundWhen(busy, () -> 0);
  }

  /**
   * As {@link #throughputBoundWhen(BooleanSupplier)}, where a call also costs the verifier's
   * throughput {@code callCostPositions} scored positions of its own (work per call that competes
   * with the forwards: {@link Verifier#callCostPositions}): a busy step is then priced {@code k ·
   * t_draft + (callCost + k + 1) · t_position}, so drafting pays once a block's extra tokens are
   * worth more than its extra positions against the calls it saves.
   *
   * @return this
   */
  public AdaptiveDraftLength throughputBoundWhen(
      BooleanSupplier busy, DoubleSupplier callCostPositions) {
    if (busy == null || callCostPositions == null) {
      throw new IllegalArgumentException("busy and callCostPositions must not be null");
    }
    this.busy = busy;
    this.callCostPositions = callCostPositions;
    return this;
  }

  /**
   * Adds to the price of each draft token and each scored position what it costs the other streams
   * sharing the drafter's thread ({@link DraftProposer#draftTokenCostToOthersNanos}: the proposals
   * queued behind it) and the verifier's batches ({@link Verifier#positionCostToOthersNanos}: the
   * calls waiting on the forward it lengthens), while the verifier is not throughput-bound (when it
   * is, drafts and positions are priced by their work anyway). A stream pricing its own latency
   * alone drafts as long as its own steps pay, while its drafts and positions delay every stream
   * beside it: at 32 remote streams adaptive k then drafted 3–8 tokens where 1–4 served the most
   * (BENCHMARKS.md). With the other streams' time counted as this stream's, k settles where the
   * streams' tokens per unit of their total time are highest. A figure that is not a finite
   * positive number counts as 0.
   *
   * @return this
   */
  public AdaptiveDraftLength pricingCostsToOthers(
      DoubleSupplier nanosPerDraftToken, DoubleSupplier nanosPerPosition) {
    if (nanosPerDraftToken == null || nanosPerPosition == null) {
      throw new IllegalArgumentException(
          "nanosPerDraftToken and nanosPerPosition must not be null");
    }
    this.draftCostToOthers = nanosPerDraftToken;
    this.positionCostToOthers = nanosPerPosition;
    return this;
  }

  @Override
  public int chooseK(LoopState state) {
    int cap = Math.max(0, Math.min(kMax, state.remainingTokens() - 1));
    double limit = limitPerToken(state);
    boolean learning = stepCosts != null && (learnWhen == null || learnWhen.getAsBoolean());
    double[] overheads = learning ? timeCycle().overheads(cap, priorOverheads) : untimed();
    // Learning: the pair's latencies at this load, fitted over all its requests' steps.
    LatencyModel latency = learning ? timedCosts.latency(latencies.current()) : latencies.current();
    boolean throughputBound = busy != null && busy.getAsBoolean();
    if (throughputBound) {
      // Throughput-bound: a step's fixed costs (the batch's forward, the hops) are shared with the
      // other streams and paid anyway; what a draft adds is its marginal work, and a call costs
      // the verifier what its server says its per-call work costs (in positions).
      double perPosition = latency.verifyPerPosition();
      double callCost = callCostPositions.getAsDouble();
      latency =
          new LatencyModel(
              latency.draftPerToken(),
              callCost >= 0 && callCost < Double.POSITIVE_INFINITY ? callCost * perPosition : 0,
              perPosition);
      if (learning) { // a prior's drafting-step cost is this stream's own: kept
        double plain = overheads[0];
        for (int i = 0; i <= cap; i++) {
          overheads[i] -= plain;
        }
      }
    } else { // what this stream's drafts and positions cost the streams beside it
      if (learning) { // each kind's verifies as measured (StepCosts#verifyExcess)
        double[] excess = timedCosts.verifyExcess(cap, latency);
        for (int i = 0; i <= cap; i++) {
          overheads[i] += excess[i];
        }
      }
      double perDraft = costOrZero(draftCostToOthers);
      double perPosition = costOrZero(positionCostToOthers);
      if (perDraft > 0 || perPosition > 0) {
        latency =
            new LatencyModel(
                latency.draftPerToken() + perDraft,
                latency.verifyFixed(),
                latency.verifyPerPosition() + perPosition);
      }
    }
    double[] expected = state.expectedTokens(cap);
    int k = SpeculationPolicy.chooseK(expected, latency, prices, objective, limit, overheads);
    if (learning) {
      k = withinSpread(k, cap, limit);
      timedEpoch = throughputBound || !unlimited(limit) ? null : epoch();
      if (timedEpoch != null) {
        plainStepsInARow = 0;
        return Math.min(timedEpoch.k(), cap);
      }
    }
    if (k > 0 || cap == 0 || probeEvery == 0) {
      plainStepsInARow = 0;
      if (k > 0 && learning && timedCosts.takePlainProbe(PLAIN_PROBE_EVERY)) {
        return 0; // measures what a plain step costs the pair now (see StepCosts)
      }
      return k;
    }
    if (++plainStepsInARow < probeEvery
        || !oneDraftFits(expected[1], limit)
        || !draftingCouldPay(cap, latency, limit, overheads)
        || !probeAffordable(learning)) {
      return 0;
    }
    plainStepsInARow = 0;
    probing = learning;
    return 1;
  }

  /**
   * Whether a probe is affordable now (called last: it may take the pair's probe). A learning
   * request's probes are paid from its pair's credit ({@link StepCosts#takeProbe}); a request that
   * learns only beside other streams, now alone, probes only once it has drafted (its draft session
   * caught up then, so a probe costs a few tokens' catch-up, not a prompt's prefill), which depends
   * on its own steps alone, as its seed requires; without step costs, always.
   */
  private boolean probeAffordable(boolean learning) {
    if (learning) {
      return timedCosts.takeProbe();
    }
    return learnWhen == null || drafted;
  }

  /**
   * Records the policy's choice {@code k} with the pair and bounds it by {@link #SPREAD} around the
   * mean of the pair's earlier choices: from above always, from below only while no limit binds the
   * request (a cost budget or a latency target is never traded for it); k as chosen while the pair
   * has made fewer than {@link StepCosts#MIN_CHOICES} choices.
   */
  private int withinSpread(int k, int cap, double limit) {
    double mean = timedCosts.chose(k);
    if (Double.isNaN(mean)) {
      return k;
    }
    int bounded = Math.min(k, (int) Math.ceil(mean) + SPREAD);
    return unlimited(limit)
        ? Math.max(bounded, Math.min(cap, (int) Math.floor(mean) - SPREAD))
        : bounded;
  }

  /** Whether the request is after its fastest k, with no cost budget or latency target to meet. */
  private boolean unlimited(double limit) {
    return objective == Objective.MIN_LATENCY_WITHIN_COST && Double.isInfinite(limit);
  }

  /**
   * The pair's goodput epoch in force at this load, started at the pair's mean choice once there is
   * one; null where the pair has no epochs (one stream) or they have not started.
   */
  private GoodputEpochs.Epoch epoch() {
    GoodputEpochs epochs = timedCosts.epochs();
    if (epochs == null) {
      return null;
    }
    GoodputEpochs.Epoch epoch = epochs.current();
    if (epoch != null) {
      return epoch;
    }
    double mean = timedCosts.meanChosenK();
    return Double.isNaN(mean) ? null : epochs.start((int) Math.round(Math.min(mean, kMax)), kMax);
  }

  private static double costOrZero(DoubleSupplier cost) {
    double nanos = cost.getAsDouble();
    return nanos > 0 && nanos < Double.POSITIVE_INFINITY ? nanos : 0;
  }

  /**
   * Whether some acceptance rate would make drafting the choice with this step's pricing: if not
   * even α = 1 does, a probe would only spend. That is so when minimising cost under per-token
   * pricing (every draft is billed), and on a throughput-bound CPU verifier, where a scored
   * position costs what a decoded token does (probing there cost a busy in-process engine a k = 1
   * step in every 32, 2–6 % of its throughput; BENCHMARKS.md).
   */
  private boolean draftingCouldPay(
      int cap, LatencyModel latency, double limit, double[] overheads) {
    return SpeculationPolicy.chooseK(1.0, cap, latency, prices, objective, limit, overheads) > 0;
  }

  /** Whether one draft token meets the constraint, with E(1) = {@code expectedOne}. */
  private boolean oneDraftFits(double expectedOne, double limit) {
    LatencyModel latency = latencies.current();
    double constrained =
        objective == Objective.MIN_LATENCY_WITHIN_COST
            ? prices.stepCost(1) / expectedOne
            : (latency.draftPerToken() + latency.verifyTime(1)) / expectedOne;
    return constrained <= limit;
  }

  /**
   * Ends the cycle of the step observed last (recording its overhead) and starts the next one;
   * returns the costs to price the next step with.
   */
  private StepCosts timeCycle() {
    long now = clock.getAsLong();
    endCycle(now);
    chosenAtNanos = now;
    timedCosts = stepCosts.get();
    return timedCosts;
  }

  /**
   * A step that does not learn ({@link #learningStepCostsWhen}): ends the learning step's cycle
   * before it, times none across it, and returns the prior's overheads.
   */
  private double[] untimed() {
    if (stepCosts != null) {
      endCycle(clock.getAsLong());
    }
    chosenAtNanos = -1;
    timedCosts = null;
    timedEpoch = null;
    return priorOverheads;
  }

  /** Records the overhead of the step observed last, if its cycle was timed. */
  private void endCycle(long now) {
    if (timedArm >= 0 && chosenAtNanos >= 0) {
      long overhead = now - chosenAtNanos - timedModelNanos;
      // A step paused by flow control (a slow client) says nothing about what steps cost.
      if (overhead <= Math.max(4 * timedModelNanos, MAX_OVERHEAD_NANOS)) {
        timedCosts.record(timedArm, now - chosenAtNanos, timedModelNanos);
        if (timedEpoch != null && now > chosenAtNanos) {
          timedCosts.epochs().record(timedEpoch, timedEmitted, now - chosenAtNanos);
        }
      }
    }
    timedArm = -1;
  }

  @Override
  public void observe(StepRecord step) {
    if (timedCosts != null) { // the step was chosen learning
      timedArm = step.proposed();
      timedModelNanos = step.draftingNanos() + step.verifyNanos();
      timedEmitted = step.emitted();
      timedCosts.observe(step, latencies.current());
      if (probing) { // what it cost beyond a plain step: the wait for its draft, one position
        timedCosts.chargeProbe(
            step.draftNanos() + timedCosts.latency(latencies.current()).verifyPerPosition());
      } else if (step.proposed() == 0) {
        timedCosts.earnProbeCredit(step.verifyNanos());
      }
    }
    probing = false;
    drafted |= step.proposed() > 0;
    if (learnWhen == null) { // see learningStepCostsWhen: no own latencies
      latencies.observe(step);
    }
  }

  /** The constraint's bound for the next step (see the class comment). */
  double limitPerToken(LoopState state) {
    if (objective == Objective.MIN_COST_WITHIN_LATENCY || Double.isInfinite(budget)) {
      return budget;
    }
    double spent = prices.spent(state);
    return (budget - spent) / Math.max(1, state.remainingTokens());
  }

  @Override
  public String toString() {
    return "adaptive(k=0.." + kMax + ", " + objective + ", budget=" + budget + ")";
  }
}
