package dev.tandem.bench.cost;

import dev.tandem.draft.ModelDrafter;
import dev.tandem.draft.NoDrafter;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.router.routing.LinearComplexityEstimator;
import dev.tandem.speccore.AcceptanceStats;
import dev.tandem.speccore.AdaptiveDraftLength;
import dev.tandem.speccore.DraftLengthChooser;
import dev.tandem.speccore.LatencyEstimator;
import dev.tandem.speccore.LatencyModel;
import dev.tandem.speccore.Objective;
import dev.tandem.speccore.Prices;
import dev.tandem.speccore.VerifierPricing.PerToken;
import dev.tandem.speccore.VerifierPricing.SelfHosted;
import dev.tandem.verifier.InProcessVerifier;
import dev.tandem.verifier.engine.EngineOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Issue 12's cost figures in one run over the mixed workload (code, prose, repetitive, chat; the 96
 * prompts with a true continuation): verifier cost per 1k output tokens and quality for
 * always-large plain decoding, speculation alone under per-call and per-token pricing, routing
 * alone, and routing with speculation; then the routing evaluation (quality vs cost curves). Every
 * request is greedy and runs through the router's own {@code SpeculationLoop} with the fixture
 * models in-process; speculative output is checked token for token against plain decoding.
 *
 * <p>Usage: {@code CostBench HOME [OUT_DIR]}.
 */
public final class CostBench {

  /** Self-hosted GPU time: ~20 ms of a $2/h GPU per verify call, little per position. */
  static final Prices LARGE_PER_CALL = new Prices(new SelfHosted(1e-5, 2e-7, 5e-8), 2e-8);

  static final Prices SMALL_PER_CALL = new Prices(new SelfHosted(1.5e-6, 3e-8, 7.5e-9), 2e-8);

  /** A per-token API: $0.50 per 1M prompt tokens, $2 per 1M scored positions. */
  static final Prices LARGE_PER_TOKEN = new Prices(new PerToken(0.5, 2.0), 2e-8);

  /** The small tier's max_complexity that keeps routing within 50 % of always-large cost. */
  static final double SMALL_MAX_COMPLEXITY = 0.5206;

  static final int MAX_TOKENS = 48;
  static final int K_MAX = 8;
  static final LatencyModel PRIOR = new LatencyModel(300_000, 2_000_000, 300_000);

  private CostBench() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
    Path out = args.length > 1 ? Path.of(args[1]) : home.resolve("load-tests/reports");
    List<ScoredCase> cases =
        RoutingEvaluation.measure(home.resolve("fixtures/workloads"), home, TierPair.SMALL_LARGE);
    try (ModelRuntime runtime = new ModelRuntime(1);
        Model small =
            runtime.load(home.resolve("fixtures/models/tandem-draft"), ModelOptions.DEFAULT);
        Model large =
            runtime.load(home.resolve("fixtures/models/tandem-verifier"), ModelOptions.DEFAULT);
        InProcessVerifier smallTier =
            new InProcessVerifier("small", small, EngineOptions.DEFAULTS);
        InProcessVerifier largeTier =
            new InProcessVerifier("large", large, EngineOptions.DEFAULTS)) {
      CostTable table = new CostTable();
      AcceptanceStats pair = AcceptanceStats.withDefaults();
      ModelDrafter drafter = new ModelDrafter(small);
      NoDrafter none = new NoDrafter();
      int mismatches = 0;
      for (ScoredCase c : cases) {
        int[] prompt = withBos(large, large.tokenizer().encode(c.c().text()));
        Decoding.Run plain =
            Decoding.run(
                largeTier,
                none,
                pair,
                prompt,
                MAX_TOKENS,
                DraftLengthChooser.off(),
                LARGE_PER_CALL,
                Double.POSITIVE_INFINITY);
        Decoding.Run spec =
            Decoding.run(
                largeTier,
                drafter,
                pair,
                prompt,
                MAX_TOKENS,
                cheapest(LARGE_PER_CALL),
                LARGE_PER_CALL,
                Double.POSITIVE_INFINITY);
        Decoding.Run perTokenPlain =
            Decoding.run(
                largeTier,
                none,
                pair,
                prompt,
                MAX_TOKENS,
                DraftLengthChooser.off(),
                LARGE_PER_TOKEN,
                Double.POSITIVE_INFINITY);
        Decoding.Run perTokenPolicy =
            Decoding.run(
                largeTier,
                drafter,
                pair,
                prompt,
                MAX_TOKENS,
                cheapest(LARGE_PER_TOKEN),
                LARGE_PER_TOKEN,
                Double.POSITIVE_INFINITY);
        double budget = 1.25 * (perTokenPlain.verifierCost() + perTokenPlain.draftCost());
        Decoding.Run perTokenFast =
            Decoding.run(
                largeTier,
                drafter,
                pair,
                prompt,
                MAX_TOKENS,
                new AdaptiveDraftLength(
                    K_MAX,
                    LARGE_PER_TOKEN,
                    Objective.MIN_LATENCY_WITHIN_COST,
                    budget - LARGE_PER_TOKEN.verifier().openCost(prompt.length),
                    new LatencyEstimator(PRIOR, LatencyEstimator.DEFAULT_WEIGHT)),
                LARGE_PER_TOKEN,
                budget);
        boolean toLarge = complexity(c) > SMALL_MAX_COMPLEXITY;
        Decoding.Run routed =
            toLarge
                ? plain
                : Decoding.run(
                    smallTier,
                    none,
                    pair,
                    prompt,
                    MAX_TOKENS,
                    DraftLengthChooser.off(),
                    SMALL_PER_CALL,
                    Double.POSITIVE_INFINITY);
        if (!Arrays.equals(plain.tokens(), spec.tokens())
            || !Arrays.equals(plain.tokens(), perTokenPolicy.tokens())) {
          mismatches++;
        }
        double qLarge = c.qualityLarge();
        double qRouted = toLarge ? c.qualityLarge() : c.qualitySmall();
        table.add("always-large, plain decoding", "per-call", plain, qLarge, 0);
        table.add("speculation alone (cheapest k)", "per-call", spec, qLarge, 0);
        table.add("always-large, plain decoding", "per-token", perTokenPlain, qLarge, 0);
        table.add("speculation alone (cheapest k)", "per-token", perTokenPolicy, qLarge, 0);
        table.add(
            "speculation, fastest k within 1.25x plain cost",
            "per-token",
            perTokenFast,
            qLarge,
            budget);
        table.add("routing alone (plain decoding)", "per-call", routed, qRouted, 0);
        table.add("routing + speculation", "per-call", toLarge ? spec : routed, qRouted, 0);
      }
      System.out.printf(
          Locale.ROOT,
          "%n%d prompts, max_tokens %d, greedy; speculative output differing from plain decoding: %d%n",
          cases.size(),
          MAX_TOKENS,
          mismatches);
      table.print(System.out);
    }
    RoutingEvaluation.report(
        TierPair.SMALL_LARGE,
        cases,
        RoutingEvaluation.measureRoutingSet(home, TierPair.SMALL_LARGE),
        out);
  }

  private static DraftLengthChooser cheapest(Prices prices) {
    return new AdaptiveDraftLength(
        K_MAX,
        prices,
        Objective.MIN_COST_WITHIN_LATENCY,
        Double.POSITIVE_INFINITY,
        new LatencyEstimator(PRIOR, LatencyEstimator.DEFAULT_WEIGHT));
  }

  private static double complexity(ScoredCase c) {
    return LinearComplexityEstimator.DEFAULT.estimate(c.signals()).score();
  }

  private static int[] withBos(Model model, int[] tokens) {
    int[] out = new int[tokens.length + 1];
    out[0] = model.tokenizer().bosTokenId();
    System.arraycopy(tokens, 0, out, 1, tokens.length);
    return out;
  }
}
