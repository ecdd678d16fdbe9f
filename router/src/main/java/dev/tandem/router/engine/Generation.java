package dev.tandem.router.engine;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.GenerationRequest.ChatPrompt;
import dev.tandem.router.api.GenerationRequest.TextPrompt;
import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.ErrorMapping;
import dev.tandem.router.errors.TandemException;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.LoopResult;
import dev.tandem.speccore.Prices;
import dev.tandem.speccore.SpeculationLoop;
import dev.tandem.speccore.StepCosts;
import dev.tandem.speccore.VerifierSession;
import dev.tandem.streaming.ChunkWriter;
import dev.tandem.streaming.IncrementalDetokenizer;
import dev.tandem.streaming.StopSequenceFilter;
import dev.tandem.streaming.TokenStreamer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One request from prompt to last chunk: tokenize (off the event loop), open the verifier session,
 * open the drafter, run the {@link SpeculationLoop} with a {@link TokenStreamer} as its sink, then
 * account for what it cost. Cancellation and deadlines stop it within one step; the verifier and
 * draft sessions are closed on every path (by the loop once it started, here before that).
 *
 * <p>Threading: created, started, cancelled and completed on the request's Vert.x context; the loop
 * itself runs wherever its stages complete: on the model thread for a local verifier, on the
 * request's context otherwise ({@link #stepsOn}).
 */
final class Generation implements GenerationHandle {

  private static final Logger LOG = Logger.getLogger(Generation.class.getName());

  private final GenerationRequest request;
  private final Tier tier;
  private final DraftProposer drafter;
  private final SpeculationSettings settings;
  private final Prices prices;
  private final double spendCapUsd;
  private final String routeReason;
  private SpendMeter meter;
  private final GenerationShared shared;
  private final Context context;
  private final ChunkWriter writer;
  private final Promise<StreamEnd> completion = Promise.promise();
  private final Consumer<Throwable> onDrafterFailure;
  private ErrorKind stopReason;
  private SpeculationLoop loop;
  private TokenStreamer streamer;
  private int promptTokens;

  Generation(
      GenerationRequest request,
      Tier tier,
      DraftProposer drafter,
      SpeculationSettings settings,
      GenerationShared shared,
      Context context,
      ChunkWriter writer,
      Consumer<Throwable> onDrafterFailure,
      double spendCapUsd,
      String routeReason) {
    this.request = request;
    this.onDrafterFailure = onDrafterFailure;
    this.spendCapUsd = spendCapUsd;
    this.routeReason = routeReason;
    this.tier = tier;
    this.drafter = drafter;
    this.settings = settings;
    this.prices = DraftLengthChoosers.prices(tier, settings);
    this.shared = shared;
    this.context = context;
    this.writer = writer;
  }

  void start() {
    String text =
        switch (request.prompt()) {
          case TextPrompt t -> t.text();
          case ChatPrompt c -> ChatTemplate.render(c.messages());
        };
    context
        .<int[]>executeBlocking(() -> tokenize(text), false)
        .compose(this::openSessions)
        .onSuccess(this::run)
        .onFailure(this::fail);
  }

  private int[] tokenize(String text) {
    int[] tokens = tier.codec().encode(text);
    int bos = tier.codec().bosToken();
    if (bos >= 0) {
      int[] withBos = new int[tokens.length + 1];
      withBos[0] = bos;
      System.arraycopy(tokens, 0, withBos, 1, tokens.length);
      tokens = withBos;
    }
    int room = tier.contextLength() - tokens.length;
    if (room < 1) {
      throw TandemException.invalid(
          "prompt",
          "prompt must have fewer than "
              + tier.contextLength()
              + " tokens for model "
              + tier.model()
              + ", got "
              + tokens.length);
    }
    if (request.maxTokens() > room) {
      throw TandemException.invalid(
          "max_tokens",
          "max_tokens must be in 1.."
              + room
              + " for this "
              + tokens.length
              + "-token prompt (context "
              + tier.contextLength()
              + "), got "
              + request.maxTokens());
    }
    return tokens;
  }

  /** Opens the verifier session and the draft session at once: both prefill concurrently. */
  private Future<Sessions> openSessions(int[] prompt) {
    if (stopReason != null) {
      return Future.failedFuture(stopped());
    }
    promptTokens = prompt.length;
    double openCost = prices.verifier().openCost(promptTokens);
    double maxCost = request.budget().maxCostUsd();
    if (maxCost > 0 && openCost > maxCost) {
      return Future.failedFuture(
          new TandemException(
              ErrorKind.RESOURCE_EXHAUSTED,
              "budget.max_cost_usd",
              String.format(
                  "budget.max_cost_usd %.9f cannot cover the prompt: %d tokens on tier %s cost"
                      + " at least %.9f USD",
                  maxCost, promptTokens, tier.name(), openCost),
              null));
    }
    DraftSession draft = openDraft(prompt);
    Future<VerifierSession> verifier =
        Future.fromCompletionStage(
            tier.verifier().open(prompt, request.sampling(), prompt.length + request.maxTokens()),
            context);
    Future<Void> drafted = Future.fromCompletionStage(draft.ready(), context);
    return Future.join(verifier, drafted)
        .transform(
            ar -> {
              if (ar.succeeded()) {
                return Future.succeededFuture(new Sessions(verifier.result(), draft));
              }
              draft.close();
              if (verifier.succeeded()) {
                verifier.result().close();
              }
              return Future.failedFuture(verifier.failed() ? verifier.cause() : drafted.cause());
            });
  }

  /**
   * The drafter's session, ready with the verifier's prefill when the request is expected to draft
   * soon, else with its first proposal ({@link DraftLengthChoosers#draftsSoon}); a drafter that
   * cannot open means plain decoding, not a failure.
   */
  private DraftSession openDraft(int[] prompt) {
    try {
      return FallbackDraftSession.of(
          DraftLengthChoosers.draftsSoon(request, settings, this::stepCosts)
              ? drafter.open(prompt, request.sampling())
              : drafter.openLazily(prompt, request.sampling()),
          context.owner(),
          shared.draftWatchdog(),
          this::drafterFailed);
    } catch (RuntimeException e) {
      return FallbackDraftSession.failedToOpen(e, context.owner(), this::drafterFailed);
    }
  }

  private record Sessions(VerifierSession verifier, DraftSession draft) {}

  private void run(Sessions opened) {
    if (stopReason != null) {
      opened.verifier().close();
      opened.draft().close();
      fail(stopped());
      return;
    }
    meter =
        new SpendMeter(
            DraftLengthChoosers.forRequest(
                request,
                settings,
                tier,
                promptTokens,
                this::stepCosts,
                shared.streamsInFlight(),
                drafter::draftTokenCostToOthersNanos));
    streamer =
        new TokenStreamer(
            context,
            new IncrementalDetokenizer(tier.codec()::tokenBytes),
            new StopSequenceFilter(request.stop()),
            writer);
    var builder =
        SpeculationLoop.builder()
            .draft(opened.draft())
            .verifier(stepsOn(opened.verifier()))
            .chooser(meter)
            .acceptance(
                DraftLengthChoosers.acceptance(
                    request,
                    shared.acceptance(),
                    drafter.name(),
                    tier.model(),
                    shared.streamsInFlight()))
            .maxTokens(request.maxTokens())
            .keepSteps(false) // totals only: per-step records of every live stream add GC work
            .eosTokens(tier.codec().eosTokens().stream().mapToInt(Integer::intValue).toArray())
            .sink(streamer);
    double cap = spendCap();
    if (Double.isFinite(cap)) {
      // The open is paid already; the loop may spend what is left and stops with BUDGET before
      // the step that would overspend.
      builder.spendLimit(prices, Math.max(0, cap - prices.verifier().openCost(promptTokens)));
    }
    loop = builder.build();
    Future.fromCompletionStage(loop.start(), context)
        .onSuccess(this::finish)
        .onFailure(e -> fail(ErrorMapping.classifyAccepted(e)));
  }

  /** What steps cost the request's pair at the load of the moment. */
  private StepCosts stepCosts() {
    return shared
        .stepCosts()
        .forPair(drafter.name(), tier.model(), shared.streamsInFlight().getAsInt());
  }

  /**
   * Where the loop's steps run. A local verifier completes on its model thread, where the next
   * step's work (choosing k, drafting, handing the chunk over) is short and the next verify only
   * queues behind the current forward: the loop stays there, with no hop to the event loop and back
   * per step (the streamer hands chunks over in batches). A remote verifier completes on a network
   * thread that serves other streams: each verdict comes back to the request's event loop.
   */
  private VerifierSession stepsOn(VerifierSession session) {
    return tier.verifier().isLocal() ? session : new ContextBoundVerifierSession(session, context);
  }

  private void finish(LoopResult result) {
    if (stopReason != null) {
      fail(stopped());
      return;
    }
    String tail = streamer.finish();
    GenerationResult.FinishReason reason =
        streamer.stoppedBySequence()
            ? GenerationResult.FinishReason.STOP
            : switch (result.reason()) {
              case EOS -> GenerationResult.FinishReason.EOS;
              case LENGTH -> GenerationResult.FinishReason.LENGTH;
              case STOP -> GenerationResult.FinishReason.STOP;
              case BUDGET -> GenerationResult.FinishReason.BUDGET;
              case CANCELLED -> GenerationResult.FinishReason.LENGTH;
            };
    double cost =
        prices.verifier().openCost(promptTokens)
            + prices.spent(
                result.verifierCalls(),
                result.verifierPositionsScored(),
                result.draftTokensProposed());
    end(
        new StreamEnd.Finished(
            tail,
            new GenerationResult(
                reason,
                promptTokens,
                result.generatedTokens(),
                cost,
                result.draftTokensProposed(),
                result.draftTokensAccepted(),
                result.verifierCalls() + 1,
                drafter.name(),
                tier.name(),
                tier.model(),
                java.util.Optional.empty(),
                routeReason)));
  }

  /**
   * Fails the stream after what was already sent. A stream that was streaming owes the client the
   * text the stop filter held back (its stop sequence never completed); a cancelled one owes
   * nothing.
   */
  private void fail(Throwable error) {
    TandemException classified = ErrorMapping.classify(error);
    String tail =
        streamer == null || classified.kind() == ErrorKind.CANCELLED ? "" : streamer.finish();
    end(new StreamEnd.Failed(tail, classified));
  }

  /**
   * The one place a stream ends, whichever way: every session is closed by now (by the loop, or by
   * {@link #openSessions} before it started), so all that is left is to hand the transport what it
   * must send.
   */
  private void end(StreamEnd outcome) {
    if (!completion.tryComplete(outcome)) {
      return;
    }
    if (outcome instanceof StreamEnd.Failed failed && failed.error().kind() == ErrorKind.INTERNAL) {
      LOG.log(Level.WARNING, this + " failed", failed.error());
    }
  }

  /** The drafter failed or timed out: the request goes on with plain decoding. Any thread. */
  private void drafterFailed(Throwable cause) {
    LOG.warning(
        () ->
            this
                + ": drafter "
                + drafter.name()
                + " failed ("
                + cause
                + "); continuing with plain decoding");
    onDrafterFailure.accept(cause);
  }

  /** The request's own budget or the reservation, whichever is smaller; +inf for neither. */
  private double spendCap() {
    double budget = request.budget().maxCostUsd();
    return Math.min(budget > 0 ? budget : Double.POSITIVE_INFINITY, spendCapUsd);
  }

  /**
   * What the generation has computed so far, in USD: the session's open once it started, then every
   * verify step and draft token (rejected ones included), also when it was cancelled or failed.
   * Read on the request's context after {@link #completion()} completed.
   */
  double spentUsd() {
    if (meter == null) {
      return 0;
    }
    return prices.verifier().openCost(promptTokens)
        + prices.spent(meter.verifierCalls(), meter.positions(), meter.drafts());
  }

  /** The drafter this generation speculates with. */
  String drafterName() {
    return drafter.name();
  }

  /** Prompt tokens as the serving tier counted them (0 before tokenization). */
  int promptTokens() {
    return promptTokens;
  }

  private TandemException stopped() {
    return stopReason == ErrorKind.DEADLINE_EXCEEDED
        ? new TandemException(
            ErrorKind.DEADLINE_EXCEEDED,
            "deadline exceeded after " + (loop == null ? "0 steps" : "partial output"))
        : new TandemException(ErrorKind.CANCELLED, "request cancelled by the client");
  }

  @Override
  public Future<StreamEnd> completion() {
    return completion.future();
  }

  @Override
  public String model() {
    return tier.model();
  }

  @Override
  public void cancel() {
    stop(ErrorKind.CANCELLED);
  }

  @Override
  public void deadlineExceeded() {
    stop(ErrorKind.DEADLINE_EXCEEDED);
  }

  private void stop(ErrorKind reason) {
    if (stopReason != null || completion.future().isComplete()) {
      return;
    }
    stopReason = reason;
    if (streamer != null) {
      streamer.abort();
    }
    if (loop != null) {
      loop.cancel();
    }
  }

  @Override
  public String toString() {
    return "Generation[tier="
        + tier.name()
        + ", drafter="
        + drafter.name()
        + ", prompt="
        + promptTokens
        + " tokens]";
  }
}
