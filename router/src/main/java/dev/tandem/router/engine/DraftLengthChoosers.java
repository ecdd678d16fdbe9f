package dev.tandem.router.engine;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import dev.tandem.router.api.GenerationRequest.SpeculationOverride;
import dev.tandem.speccore.AcceptanceStatsRegistry;
import dev.tandem.speccore.AdaptiveDraftLength;
import dev.tandem.speccore.DraftLengthChooser;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.LatencyEstimator;
import dev.tandem.speccore.LatencyModel;
import dev.tandem.speccore.Objective;
import dev.tandem.speccore.Prices;
import dev.tandem.speccore.RequestAcceptance;
import dev.tandem.speccore.StepCosts;
import dev.tandem.speccore.StepPrior;
import dev.tandem.speccore.Verifier;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Picks the {@link DraftLengthChooser} for a request, and the acceptance estimate it chooses k with
 * ({@link #acceptance}). The chooser follows the request's speculation override, its budget and the
 * router's defaults:
 *
 * <ul>
 *   <li>mode off → k = 0 (plain decoding); fixed → the request's k (or the router's fixed k);
 *   <li>auto with a cost budget → fastest k whose expected cost fits the budget left;
 *   <li>auto with a time-per-token target (and no cost budget) → cheapest k that meets it;
 *   <li>auto otherwise → fastest k.
 * </ul>
 *
 * <p>In auto mode, requests whose output does not depend on k (greedy) or need not be reproduced
 * (sampled without a client seed) learn what their steps cost beyond drafting and verifying ({@link
 * StepCosts}, shared per (drafter, tier) and load level), so speculation is turned down where it
 * does not pay. A sampled request with a client seed draws its random numbers per position, so its
 * output depends on every step's k. While it is the only stream in flight on the router it learns
 * nothing: it prices k with the tier's step prior (its {@code latency_prior} setting, else {@link
 * #PRIOR} or {@link #REMOTE_PRIOR} by where its verifier computes; {@link Tier#stepPrior}) and its
 * own acceptance, so the seed reproduces its output. Beside other streams its k depends on their
 * traffic anyway (what its drafts and positions cost them, a busy verifier), and it learns like a
 * greedy request: kept on the prior there, the seeded third of the mixed workload drafted a mean k
 * of 1.2 at 32 remote streams and served its tokens no faster than plain decoding (BENCHMARKS.md).
 * A fixed k (or none) makes a seeded output reproducible under any load. Every request in auto mode
 * prices k by its marginal work while the verifier is throughput-bound (a local one serving several
 * streams, a remote one that says so); ignoring that for seeded requests was tried: at 128 streams
 * against the remote verifier they then drafted into a busy server and adaptive fell to 0.87x plain
 * (BENCHMARKS.md).
 *
 * <p>Stateless.
 */
final class DraftLengthChoosers {

  /**
   * Latency prior (nanoseconds) on a verifier in this process until the request has measured its
   * own: a draft token 0.5 ms, a verify call 2 ms plus 0.5 ms per position, no fixed cost per
   * drafting step. Generic, and optimistic about drafting on a CPU: there a scored position costs
   * about half a plain step (the fixture verifier, {@code ./tandem bench quant}), not a fifth, and
   * a served drafting step carries hand-offs a plain one does not; a tier sets its own with {@code
   * latency_prior} (the embedded default's large tier does).
   */
  static final StepPrior PRIOR = StepPrior.of(new LatencyModel(500_000, 2_000_000, 500_000));

  /**
   * Latency prior on a remote verifier: a verify call is a network round trip plus the server's
   * queue and forward, taken as 20 ms (a same-region call to a busy GPU server; the remote bench
   * profile's relay adds 25 ms). Learning requests replace it with the pair's measured latencies
   * after their first step; seeded sampled requests keep it for their whole life, and with the
   * local prior (a 2 ms call) they saw drafting barely pay and decoded mostly plain against a 25 ms
   * verifier (mean k 0.1–1.8 where the greedy requests drafted 6–7; BENCHMARKS.md).
   */
  static final StepPrior REMOTE_PRIOR =
      StepPrior.of(new LatencyModel(500_000, 20_000_000, 500_000));

  private DraftLengthChoosers() {}

  /**
   * @param stepCosts the costs a greedy request's adaptive k learns and prices steps with (the
   *     pair's at the load of the moment)
   * @param streamsInFlight streams in flight on the engine: a local verifier serving more than one
   *     is throughput-bound ({@link AdaptiveDraftLength#throughputBoundWhen})
   * @param draftCostToOthers what a draft token costs the proposals queued behind it on the
   *     request's drafter ({@link DraftProposer#draftTokenCostToOthersNanos})
   */
  static DraftLengthChooser forRequest(
      GenerationRequest request,
      SpeculationSettings settings,
      Tier tier,
      int promptTokens,
      Supplier<StepCosts> stepCosts,
      IntSupplier streamsInFlight,
      DoubleSupplier draftCostToOthers) {
    SpeculationOverride override = request.speculation();
    return switch (mode(request, settings)) {
      case OFF -> DraftLengthChooser.off();
      case FIXED ->
          DraftLengthChooser.fixed(
              override.k() > 0 ? override.k() : Math.min(settings.fixedK(), settings.kMax()));
      case AUTO -> {
        int kMax = override.k() > 0 ? override.k() : settings.kMax();
        Verifier verifier = tier.verifier();
        BooleanSupplier notAlone = notAlone(streamsInFlight);
        // Drafts and positions are priced with what they cost the streams beside the request (a
        // remote server reports a position's cost to its batch-mates; a local verifier, none).
        AdaptiveDraftLength adaptive =
            adaptive(request, settings, tier, promptTokens, kMax)
                .pricingCostsToOthers(draftCostToOthers, verifier::positionCostToOthersNanos);
        // Throughput-bound: a local verifier on this CPU as soon as it serves several streams; a
        // remote one when its server says so with its verdicts (it batches other sessions on a
        // compute-bound backend), which also say what a call costs it beyond its positions.
        if (verifier.isLocal()) {
          adaptive.throughputBoundWhen(notAlone);
        } else {
          adaptive.throughputBoundWhen(verifier::throughputBound, verifier::callCostPositions);
        }
        yield request.seededSample()
            // Alone on the router: the step prior and its own acceptance only.
            ? adaptive.learningStepCostsWhen(stepCosts, System::nanoTime, notAlone)
            : adaptive.learningStepCosts(stepCosts, System::nanoTime);
      }
    };
  }

  /**
   * How a request speculates: its own mode, the router's default where it names none (auto with no
   * k), off with the {@code none} drafter.
   */
  static SpeculationMode mode(GenerationRequest request, SpeculationSettings settings) {
    SpeculationOverride override = request.speculation();
    if (override.drafter().equals("none")) {
      return SpeculationMode.OFF;
    }
    return override.mode() == SpeculationMode.AUTO && override.k() == 0
        ? settings.defaultMode()
        : override.mode();
  }

  /**
   * Mean k, over the last steps of a pair at a load, below which a request on it is not expected to
   * draft soon: the pair's requests have been decoding plain (probes aside).
   */
  static final double DRAFTING_MEAN_K = 0.5;

  /**
   * Whether a request is expected to draft from its first steps, so that its draft session should
   * get ready while the verifier prefills ({@link DraftProposer#open}) rather than with its first
   * proposal ({@link DraftProposer#openLazily}): a fixed k does; an adaptive k does unless the
   * pair's requests at this load chose a mean k below {@link #DRAFTING_MEAN_K} over their last
   * steps (before they chose any, it does).
   */
  static boolean draftsSoon(
      GenerationRequest request, SpeculationSettings settings, Supplier<StepCosts> stepCosts) {
    return switch (mode(request, settings)) {
      case OFF -> false;
      case FIXED -> true;
      case AUTO -> {
        double mean = stepCosts.get().meanChosenK();
        yield Double.isNaN(mean) || mean >= DRAFTING_MEAN_K;
      }
    };
  }

  /**
   * The acceptance estimate a request's k is chosen with: its own rate blended with the pair's at
   * its sampling temperature ({@link AcceptanceStatsRegistry}). A seeded sampled request reads the
   * pair's only while other streams are in flight, as it learns step costs; alone it reads an
   * estimate of its own steps only ({@link RequestAcceptance#sharingWhen}). With only its own, the
   * seeded third of the mixed workload drafted a mean k of 2.1 for 2.05 tokens a call where k = 2
   * gave 2.30, and served its tokens about as slowly as plain decoding at 32 remote streams
   * (BENCHMARKS.md).
   */
  static RequestAcceptance acceptance(
      GenerationRequest request,
      AcceptanceStatsRegistry registry,
      String drafter,
      String verifier,
      IntSupplier streamsInFlight) {
    var pair = registry.forPair(drafter, verifier, request.sampling());
    double weight = RequestAcceptance.DEFAULT_GLOBAL_WEIGHT;
    return request.seededSample()
        ? RequestAcceptance.sharingWhen(pair, weight, notAlone(streamsInFlight))
        : new RequestAcceptance(pair, weight);
  }

  private static BooleanSupplier notAlone(IntSupplier streamsInFlight) {
    return () -> streamsInFlight.getAsInt() > 1;
  }

  /** What a request on {@code tier} pays for verifying and drafting. */
  static Prices prices(Tier tier, SpeculationSettings settings) {
    return new Prices(tier.pricing(), settings.draftPricePerTokenUsd());
  }

  private static AdaptiveDraftLength adaptive(
      GenerationRequest request,
      SpeculationSettings settings,
      Tier tier,
      int promptTokens,
      int kMax) {
    Prices prices = prices(tier, settings);
    GenerationRequest.Budget budget = request.budget();
    StepPrior prior = tier.stepPrior();
    LatencyEstimator latencies =
        new LatencyEstimator(prior.latency(), LatencyEstimator.DEFAULT_WEIGHT);
    AdaptiveDraftLength adaptive;
    if (budget.maxCostUsd() > 0) {
      double left = Math.max(0, budget.maxCostUsd() - prices.verifier().openCost(promptTokens));
      adaptive =
          new AdaptiveDraftLength(kMax, prices, Objective.MIN_LATENCY_WITHIN_COST, left, latencies);
    } else if (budget.tpotMs() > 0) {
      adaptive =
          new AdaptiveDraftLength(
              kMax,
              prices,
              Objective.MIN_COST_WITHIN_LATENCY,
              budget.tpotMs() * 1_000_000.0,
              latencies);
    } else {
      adaptive =
          new AdaptiveDraftLength(
              kMax, prices, Objective.MIN_LATENCY_WITHIN_COST, Double.POSITIVE_INFINITY, latencies);
    }
    return adaptive.pricingDraftSteps(prior.draftStepNanos());
  }
}
