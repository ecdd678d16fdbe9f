package dev.tandem.router.engine;

import dev.tandem.router.accounting.Charge;
import dev.tandem.router.accounting.Money;
import dev.tandem.router.accounting.Reservation;
import dev.tandem.router.accounting.ReservationRequest;
import dev.tandem.router.accounting.Tenant;
import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.ErrorMapping;
import dev.tandem.router.errors.TandemException;
import dev.tandem.router.routing.RouteDecision;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * A request through admission and back: route it ({@link Admission}), reserve its worst-case cost
 * against the tenant, run the {@link Generation}, then settle the reservation with what it actually
 * computed — on every ending: finished, budget, cancelled, deadline, failed, or refused before it
 * started (nothing computed, everything released). The request log gets one line per request with
 * its tenant, tier, route reason and cost.
 *
 * <p>Threading: created, cancelled and completed on the request's Vert.x context.
 */
final class AdmittedGeneration implements GenerationHandle {

  /** The request log's logger: this class adds one {@code charge} line per request. */
  private static final Logger REQUESTS = Logger.getLogger("dev.tandem.requests");

  /** Builds the generation of a routed request (the engine adds its bookkeeping). */
  interface Launcher {
    Generation launch(
        Admission.Route route, GenerationRequest request, Context context, ChunkWriter writer);
  }

  private final Admission admission;
  private final Launcher launcher;
  private final GenerationRequest request;
  private final Tenant tenant;
  private final Context context;
  private final ChunkWriter writer;
  private final Promise<StreamEnd> completion = Promise.promise();
  private Generation generation;
  private ErrorKind stopped;
  private String model = "";

  AdmittedGeneration(
      Admission admission,
      GenerationRequest request,
      Tenant tenant,
      Context context,
      ChunkWriter writer,
      Launcher launcher) {
    this.admission = admission;
    this.launcher = launcher;
    this.request = request;
    this.tenant = tenant;
    this.context = context;
    this.writer = writer;
  }

  void start() {
    admission
        .route(request, tenant, context)
        .compose(route -> reserve(route).map(reservation -> new Admitted(route, reservation)))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                finish(null, new StreamEnd.Failed("", ErrorMapping.classify(ar.cause())), null);
              } else {
                run(ar.result());
              }
            });
  }

  private record Admitted(Admission.Route route, Reservation reservation) {}

  private Future<Reservation> reserve(Admission.Route route) {
    long worstCase = Money.ceilNanos(route.decision().worstCaseCostUsd());
    int tokens = route.promptTokens() + request.maxTokens();
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
    generation = launcher.launch(admitted.route(), request, context, writer);
    model = generation.model();
    writer.routed(model);
    generation.start();
    generation.completion().onComplete(ar -> finish(admitted, ar.result(), decision));
  }

  /** The one place the request ends: settle what it held, tell the listeners, hand back the end. */
  private void finish(Admitted admitted, StreamEnd end, RouteDecision decision) {
    if (admitted == null) {
      completion.tryComplete(end);
      return;
    }
    double spent = generation == null ? 0 : generation.spentUsd();
    int tokens = generation == null ? 0 : generation.promptTokens() + completionTokens(end);
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
              REQUESTS.info(
                  String.format(
                      java.util.Locale.ROOT,
                      "charge tenant=%s tier=%s outcome=%s cost_usd=%.9f route=\"%s\"",
                      tenant.id(),
                      tier,
                      outcome,
                      spent,
                      decision.reason()));
              completion.tryComplete(end);
            });
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
    } else if (stopped == null) {
      stopped = ErrorKind.CANCELLED;
    }
  }

  @Override
  public void deadlineExceeded() {
    if (generation != null) {
      generation.deadlineExceeded();
    } else if (stopped == null) {
      stopped = ErrorKind.DEADLINE_EXCEEDED;
    }
  }
}
