package dev.tandem.router.engine;

import dev.tandem.draft.ModelDrafter;
import dev.tandem.draft.NoDrafter;
import dev.tandem.model.Model;
import dev.tandem.router.accounting.Tenant;
import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.GenerationRequest.ChatPrompt;
import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import dev.tandem.router.api.GenerationRequest.SpeculationOverride;
import dev.tandem.router.api.GenerationRequest.TextPrompt;
import dev.tandem.router.errors.TandemException;
import dev.tandem.router.routing.Complexity;
import dev.tandem.router.routing.PromptScorer;
import dev.tandem.router.routing.PromptScorer.Prefilled;
import dev.tandem.router.routing.PromptSignals;
import dev.tandem.router.routing.RouteDecision;
import dev.tandem.router.routing.RouteRequest;
import dev.tandem.speccore.AcceptanceStatsRegistry;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.StepCostRegistry;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Decides where a request goes before anything is reserved: counts its prompt tokens (off the event
 * loop), estimates its complexity for {@code model: auto} from the draft model's loss over the
 * prompt (one forward on the model executor, which the model drafter then continues from instead of
 * prefilling again: see {@link PrefilledDrafter}) and cheap text features, and asks the {@link
 * dev.tandem.router.routing.TierRouter} for a tier within the tenant's pins and the request's
 * budget.
 *
 * <p>Threading: {@link #route} is called on the request's context and completes there.
 */
final class Admission {

  /** What routing decided for one request. */
  record Route(
      Tier tier,
      DraftProposer drafter,
      RouteDecision decision,
      int promptTokens,
      Complexity estimate) {}

  private static final DraftProposer NO_DRAFTER = new NoDrafter();

  private final Map<String, Tier> tiers;
  private final String defaultTier;
  private final Map<String, TierDrafters> drafters;
  private final SpeculationSettings settings;
  private final AcceptanceStatsRegistry acceptance;
  private final CostControl cost;
  private final TtftTracker ttft;
  private final GenerationShared shared;

  Admission(
      Map<String, Tier> tiers,
      String defaultTier,
      Map<String, TierDrafters> drafters,
      SpeculationSettings settings,
      AcceptanceStatsRegistry acceptance,
      CostControl cost,
      TtftTracker ttft,
      StepCostRegistry stepCosts,
      java.util.function.IntSupplier streamsInFlight) {
    this.tiers = tiers;
    this.defaultTier = defaultTier;
    this.drafters = drafters;
    this.settings = settings;
    this.acceptance = acceptance;
    this.cost = cost;
    this.ttft = ttft;
    this.shared =
        new GenerationShared(
            acceptance, stepCosts, new DraftWatchdog(settings.draftTimeout()), streamsInFlight);
  }

  CostControl cost() {
    return cost;
  }

  /**
   * Routes, then resolves the drafter on the chosen tier (a bad one fails before anything runs).
   */
  Future<Route> route(GenerationRequest request, Tenant tenant, Context context) {
    Tier reference = tiers.getOrDefault(request.model(), tiers.get(defaultTier));
    String text = text(request);
    boolean auto = request.model().equals("auto");
    Model draft = auto ? cost.draftModel().orElse(null) : null;
    return context
        .<Tokens>executeBlocking(
            () ->
                new Tokens(
                    withBos(reference, reference.codec().encode(text)),
                    draft == null ? null : draftTokens(draft, text)),
            false)
        .compose(
            tokens ->
                signals(draft, text, tokens, context).map(s -> decide(request, tenant, tokens, s)));
  }

  /** The prompt as the reference tier counts it, and as the draft model reads it (or null). */
  private record Tokens(int[] tier, int[] draft) {}

  /** The draft model's own tokens (its tokenizer, its BOS), cut to its context. */
  private static int[] draftTokens(Model draft, String text) {
    int[] encoded = draft.tokenizer().encode(text);
    int bos = draft.tokenizer().bosTokenId();
    int[] tokens = encoded;
    if (bos >= 0) {
      tokens = new int[encoded.length + 1];
      tokens[0] = bos;
      System.arraycopy(encoded, 0, tokens, 1, encoded.length);
    }
    return Arrays.copyOf(tokens, Math.min(tokens.length, draft.config().maxPositionEmbeddings()));
  }

  /**
   * The routing signals. The draft model's forward over the prompt is kept (a sequence with room to
   * draft), so a model drafter on the chosen tier starts from it instead of prefilling again.
   */
  private Future<Scored> signals(Model draft, String text, Tokens tokens, Context context) {
    int promptTokens = tokens.tier().length;
    if (draft == null || tokens.draft().length < 2) {
      return Future.succeededFuture(new Scored(PromptSignals.textOnly(text, promptTokens), null));
    }
    int[] scored = tokens.draft();
    int capacity = Math.max(scored.length, draft.config().maxPositionEmbeddings());
    return Future.fromCompletionStage(PromptScorer.scoreKeeping(draft, scored, capacity), context)
        .map(
            p ->
                new Scored(
                    new PromptSignals(
                        text,
                        promptTokens,
                        p.scores().meanNll(0, scored.length - 1),
                        p.scores().meanEntropy(0, scored.length - 1),
                        PromptScorer.entropy(p.afterLast())),
                    p));
  }

  /** The signals, and the draft model's prefill of the prompt when it ran (else null). */
  private record Scored(PromptSignals signals, Prefilled prefill) {}

  private Route decide(GenerationRequest request, Tenant tenant, Tokens tokens, Scored scored) {
    int promptTokens = tokens.tier().length;
    boolean auto = request.model().equals("auto");
    Complexity estimate = auto ? cost.estimator().estimate(scored.signals()) : null;
    int kMax = request.speculation().k() > 0 ? request.speculation().k() : settings.kMax();
    RouteRequest routeRequest =
        new RouteRequest(
            estimate,
            promptTokens,
            request.maxTokens(),
            DraftLengthChoosers.mode(request, settings) == SpeculationMode.OFF ? 0 : kMax,
            request.budget().maxCostUsd(),
            request.budget().ttftMs(),
            tenant.minTier(),
            tenant.maxTier(),
            request.pins().minTier(),
            request.pins().maxTier());
    Map<String, Double> alpha = new HashMap<>();
    tiers.forEach(
        (name, t) ->
            alpha.put(
                name,
                acceptance
                    .forPair(drafterName(name, request), t.model(), request.sampling())
                    .alpha()));
    RouteDecision decision =
        cost.router().route(request.model(), routeRequest, alpha, ttft::estimateMs);
    Tier tier = tiers.get(decision.tier());
    DraftProposer drafter = drafter(tier, request);
    if (scored.prefill() != null && drafter instanceof ModelDrafter model) {
      drafter = new PrefilledDrafter(model, tokens.draft(), scored.prefill());
    }
    return new Route(tier, drafter, decision, promptTokens, estimate);
  }

  /** The generation for a routed request; a degraded one decodes plainly. */
  Generation generation(
      Route route,
      GenerationRequest request,
      Context context,
      ChunkWriter writer,
      java.util.function.Consumer<Throwable> onDrafterFailure) {
    GenerationRequest effective = request;
    DraftProposer drafter = route.drafter();
    if (!route.decision().speculate()
        || DraftLengthChoosers.mode(request, settings) == SpeculationMode.OFF) {
      // Plain decoding: no draft session at all (a model drafter's would prefill for nothing).
      drafter = NO_DRAFTER;
      effective =
          new GenerationRequest(
              request.model(),
              request.prompt(),
              request.maxTokens(),
              request.sampling(),
              request.stop(),
              request.budget(),
              new SpeculationOverride(SpeculationMode.OFF, 0, "none"),
              request.cache(),
              request.tags(),
              request.returnTokenIds(),
              request.pins(),
              request.seeded());
    }
    return new Generation(
        effective,
        route.tier(),
        drafter,
        settings,
        shared,
        context,
        writer,
        onDrafterFailure,
        route.decision().worstCaseCostUsd(),
        route.decision().reason());
  }

  private String drafterName(String tier, GenerationRequest request) {
    String requested = request.speculation().drafter();
    return requested.equals("auto") ? drafters.get(tier).defaultName() : requested;
  }

  /** The drafter a request asked for, if the tier allows it. */
  private DraftProposer drafter(Tier tier, GenerationRequest request) {
    TierDrafters allowed = drafters.get(tier.name());
    String name = drafterName(tier.name(), request);
    DraftProposer drafter = allowed.byName().get(name);
    if (drafter == null) {
      throw TandemException.invalid(
          "speculation.drafter",
          "speculation.drafter must be one of "
              + new TreeSet<>(allowed.byName().keySet())
              + " or auto on model "
              + tier.name()
              + ", got "
              + name);
    }
    return drafter;
  }

  /** The prompt as the model reads it: the text, or the messages rendered by the chat template. */
  static String text(GenerationRequest request) {
    return switch (request.prompt()) {
      case TextPrompt t -> t.text();
      case ChatPrompt c -> ChatTemplate.render(c.messages());
    };
  }

  private static int[] withBos(Tier tier, int[] tokens) {
    int bos = tier.codec().bosToken();
    if (bos < 0) {
      return tokens;
    }
    int[] out = new int[tokens.length + 1];
    out[0] = bos;
    System.arraycopy(tokens, 0, out, 1, tokens.length);
    return out;
  }
}
