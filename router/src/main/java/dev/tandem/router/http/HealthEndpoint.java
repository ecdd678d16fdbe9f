package dev.tandem.router.http;

import dev.tandem.router.RouterState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * {@code GET /health/live} (the process serves HTTP) and {@code GET /health/ready} (the models are
 * loaded and every tier has a reachable verifier; the JSON names each check and why one fails, 503
 * when any does). {@code GET /health} is kept as an alias of live.
 *
 * <p>Threading: handlers run on the connection's event loop; probes never block it.
 */
public final class HealthEndpoint {

  private final Supplier<RouterState> state;

  public HealthEndpoint(Supplier<RouterState> state) {
    this.state = state;
  }

  public void mount(Router router) {
    router.get("/health").handler(this::live);
    router.get("/health/live").handler(this::live);
    router.get("/health/ready").handler(this::ready);
  }

  private void live(RoutingContext ctx) {
    ctx.json(new JsonObject().put("status", "live"));
  }

  private void ready(RoutingContext ctx) {
    RouterState current = state.get();
    Map<String, String> results = new TreeMap<>();
    List<Future<Void>> checks = new ArrayList<>();
    results.put("models", "ok");
    current
        .probes()
        .forEach(
            (tier, probe) -> {
              Future<Void> check;
              try {
                check = probe.check();
              } catch (RuntimeException e) {
                check = Future.failedFuture(e);
              }
              checks.add(
                  check
                      .onSuccess(v -> results.put("tier:" + tier, "ok"))
                      .onFailure(e -> results.put("tier:" + tier, String.valueOf(e.getMessage())))
                      .otherwiseEmpty());
            });
    Future.join(checks)
        .onComplete(
            done -> {
              boolean ready = results.values().stream().allMatch("ok"::equals);
              JsonObject body =
                  new JsonObject()
                      .put("status", ready ? "ready" : "not_ready")
                      .put("config_generation", current.generation())
                      .put("checks", new JsonObject(new TreeMap<String, Object>(results)));
              ctx.response().setStatusCode(ready ? 200 : 503);
              ctx.json(body);
            });
  }
}
