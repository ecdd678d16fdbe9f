package dev.tandem.router.engine;

import dev.tandem.router.accounting.Charge;
import dev.tandem.router.accounting.Money;
import dev.tandem.router.accounting.Reservation;
import dev.tandem.router.accounting.ReservationRequest;
import dev.tandem.router.accounting.Tenant;
import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.cache.AnswerRecorder;
import dev.tandem.router.cache.CacheEntry;
import dev.tandem.router.cache.CacheHit;
import dev.tandem.router.cache.CachePlan;
import dev.tandem.router.cache.ResponseCache;
import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.ErrorMapping;
import dev.tandem.router.errors.TandemException;
import dev.tandem.router.format.Decimals;
import dev.tandem.router.routing.RouteDecision;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * A request through admission and back: route it ({@link Admission}), look it up in the {@link
 * ResponseCache}, reserve its worst-case cost against the tenant (nothing but its tokens for a
 * cache hit), run the {@link Generation} or replay the hit ({@link CachedReply}), then settle the
 * reservation with what it actually computed — on every ending: finished, budget, cancelled,
 * deadline, failed, or refused before it started (nothing computed, everything released). The
 * request log gets one line per request with its tenant, tier, route reason and cost.
 *
 * <p>Threading: created, cancelled and completed on the request's Vert.x context.
 */
final class AdmittedGeneration implements GenerationHandle {

  /** The request log's logger: this class adds one {@code charge} line per request. */
  private static final Logger REQUESTS = Logger.getLogger("dev.tandem.requests");

  /**
   * Builds the generation of a routed request, or replays a cache hit (the engine adds its
   * bookkeeping).
   */
  interface Launcher {
    Generation launch(
        Admission.Route route, GenerationRequest request, Context context, ChunkWriter writer);

    CachedReply replay(
        Admission.Route route,
        CacheHit hit,
        GenerationRequest request,
        Context context,
        ChunkWriter writer);
  }

  private final Admission admission;
  private final ResponseCache cache;
  private final Launcher launcher;
  private final GenerationRequest request;
  private final Tenant tenant;
  private final Context context;
  private final ChunkWriter writer;
  private final String requestId;
  private final Promise<StreamEnd> completion = Promise.promise();
  private Generation generation;
  private CachedReply reply;
  private ErrorKind stopped;
  private String model = "";

  AdmittedGeneration(
      Admission admission,
      ResponseCache cache,
      GenerationRequest request,
      Tenant tenant,
      Context context,
      ChunkWriter writer,
      String requestId,
      Launcher launcher) {
    this.admission = admission;
    this.cache = cache;
    this.launcher = launcher;
    this.request = request;
    this.tenant = tenant;
    this.context = context;
    this.writer = writer;
    this.requestId = requestId;
  }

  /**
   * Route, then look the request up in the cache with the tier routing chose (for {@code model:
   * auto} too: the exactness promise is the serving tier's, so an answer cached for another tier
   * never serves it), then reserve and run or replay.
   */
  void start() {
    admission
        .route(request, tenant, context)
        .compose(this::lookup)
        .compose(routed -> reserve(routed).map(reservation -> new Admitted(routed, reservation)))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                finish(null, new StreamEnd.Failed("", ErrorMapping.classify(ar.cause())), null);
              } else {
                run(ar.result());
              }
            });
  }

  /** A routed request with what the cache may do for it and what it found. */
  private record Routed(Admission.Route route, Optional<CachePlan> plan, Optional<CacheHit> hit) {}

  private record Admitted(Routed routed, Reservation reservation) {
    Admission.Route route() {
      return routed.route();
    }
  }

  private Future<Routed> lookup(Admission.Route route) {
    Optional<CachePlan> plan =
        cache.plan(
            request,
            tenant.id(),
            route.tier().name(),
            route.tier().model(),
            Admission.text(request));
    if (plan.isEmpty() || !(plan.get().lookupExact() || plan.get().lookupSemantic())) {
      return Future.succeededFuture(new Routed(route, plan, Optional.empty()));
    }
    return cache.lookup(plan.get(), context).map(hit -> new Routed(route, plan, hit));
  }

  /** The worst case of a generation; a hit computes nothing and holds only its tokens. */
  private Future<Reservation> reserve(Routed routed) {
    Admission.Route route = routed.route();
    long worstCase =
        routed.hit().isPresent() ? 0 : Money.ceilNanos(route.decision().worstCaseCostUsd());
    int tokens =
        route.promptTokens()
            + routed.hit().map(h -> h.entry().completionTokens()).orElse(request.maxTokens());
    return admission
        .cost()
        .store()
        .reserve(
            new ReservationRequest(tenant, worstCase, tokens, admission.cost().clock().instant()));
  }

  private void run(Admitted admitted) {
    RouteDecision decision = admitted.route().decision();
    if (stopped != null) {
      finish(admitted, new StreamEnd.Failed("", stoppedError()), decision);
      return;
    }
    Optional<CacheHit> hit = admitted.routed().hit();
    if (hit.isPresent()) {
      reply = launcher.replay(admitted.route(), hit.get(), request, context, writer);
      model = reply.model();
      writer.routed(model);
      reply.start();
      reply.completion().onComplete(ar -> finish(admitted, ar.result(), decision));
      return;
    }
    AnswerRecorder recorder =
        admitted.routed().plan().isPresent() ? new AnswerRecorder(writer) : null;
    generation =
        launcher.launch(admitted.route(), request, context, recorder != null ? recorder : writer);
    model = generation.model();
    writer.routed(model);
    generation.start();
    admitted.routed().plan().ifPresent(plan -> cache.prepare(plan, context));
    generation
        .completion()
        .onComplete(
            ar -> {
              Future<Void> stored =
                  recorder == null
                      ? Future.succeededFuture()
                      : storeIfComplete(admitted.routed().plan().get(), recorder, ar.result());
              stored.onComplete(v -> finish(admitted, ar.result(), decision));
            });
  }

  /**
   * Caches a generation that produced its whole answer: finished by EOS, a stop sequence or
   * max_tokens. Never one cut short by its budget, failed, cancelled or past its deadline. The
   * request ends once the write was issued (at once when the embedding computed during generation
   * is ready), so the next request sees it.
   */
  private Future<Void> storeIfComplete(CachePlan plan, AnswerRecorder recorder, StreamEnd end) {
    if (!(end instanceof StreamEnd.Finished f) || stopped != null) {
      return Future.succeededFuture();
    }
    CacheEntry.Finish finish =
        switch (f.result().finishReason()) {
          case LENGTH -> CacheEntry.Finish.LENGTH;
          case STOP -> CacheEntry.Finish.STOP;
          case EOS -> CacheEntry.Finish.EOS;
          case BUDGET -> null;
        };
    if (finish == null) {
      return Future.succeededFuture();
    }
    return cache.store(
        plan,
        new ResponseCache.RecordedAnswer(
            List.copyOf(recorder.chunks()),
            f.tailText(),
            finish,
            f.result().promptTokens(),
            f.result().completionTokens(),
            f.result().costUsd()),
        context);
  }

  /** The one place the request ends: settle what it held, tell the listeners, hand back the end. */
  private void finish(Admitted admitted, StreamEnd end, RouteDecision decision) {
    if (admitted == null) {
      completion.tryComplete(end);
      return;
    }
    double spent = generation == null ? 0 : generation.spentUsd();
    int tokens =
        reply != null
            ? reply.result().promptTokens() + completionTokens(end)
            : generation == null ? 0 : generation.promptTokens() + completionTokens(end);
    Map<String, String> tags = new HashMap<>(tenant.defaultTags());
    tags.putAll(request.tags());
    String tier = decision.tier();
    admission
        .cost()
        .store()
        .settle(admitted.reservation(), new Charge(Money.ceilNanos(spent), tokens, tier, tags))
        .onComplete(
            settled -> {
              String outcome = outcome(end);
              if (settled.succeeded()) {
                admission
                    .cost()
                    .onSettled()
                    .accept(
                        new SettledRequest(
                            tenant,
                            tier,
                            Map.copyOf(tags),
                            spent,
                            settled.result(),
                            outcome,
                            decision.reason()));
              }
              REQUESTS.info(chargeLine(decision, outcome, spent));
              completion.tryComplete(end);
            });
  }

  /** The charge line, built on the event loop for every request (Decimals, not String.format). */
  private String chargeLine(RouteDecision decision, String outcome, double spent) {
    StringBuilder line =
        new StringBuilder(160)
            .append("charge id=")
            .append(requestId)
            .append(" tenant=")
            .append(tenant.id())
            .append(" tier=")
            .append(decision.tier())
            .append(" outcome=")
            .append(outcome)
            .append(" cost_usd=");
    return Decimals.append(line, spent, 9)
        .append(" cache=")
        .append(reply == null ? "-" : reply.result().cacheHit().orElseThrow().kind().label())
        .append(" route=\"")
        .append(decision.reason())
        .append('"')
        .toString();
  }

  private static int completionTokens(StreamEnd end) {
    return end instanceof StreamEnd.Finished f ? f.result().completionTokens() : 0;
  }

  private static String outcome(StreamEnd end) {
    return switch (end) {
      case StreamEnd.Finished f ->
          f.result().finishReason().name().toLowerCase(java.util.Locale.ROOT);
      case StreamEnd.Failed f -> f.error().kind().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private TandemException stoppedError() {
    return stopped == ErrorKind.DEADLINE_EXCEEDED
        ? new TandemException(
            ErrorKind.DEADLINE_EXCEEDED, "deadline exceeded before the first token")
        : new TandemException(ErrorKind.CANCELLED, "request cancelled by the client");
  }

  @Override
  public Future<StreamEnd> completion() {
    return completion.future();
  }

  @Override
  public String model() {
    return model;
  }

  @Override
  public void cancel() {
    if (generation != null) {
      generation.cancel();
    } else if (reply != null) {
      reply.cancel();
    } else if (stopped == null) {
      stopped = ErrorKind.CANCELLED;
    }
  }

  @Override
  public void deadlineExceeded() {
    if (generation != null) {
      generation.deadlineExceeded();
    } else if (reply != null) {
      reply.deadlineExceeded();
    } else if (stopped == null) {
      stopped = ErrorKind.DEADLINE_EXCEEDED;
    }
  }
}
