package dev.tandem.router.boot;

import dev.tandem.router.config.ConfigException;
import dev.tandem.router.config.RestartKeys;
import dev.tandem.router.config.TandemConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * One reload of a {@link TandemRouter}: read and validate the file, build the new state (loading
 * what changed), swap it in, reload TLS certificates, and report. Any failure rejects the whole
 * file: the old state stays, one log line names the file, key and problem, and the reload counter
 * records it.
 *
 * <p>Threading: {@link #run} is called on the router's Vert.x context; building runs on a worker.
 */
final class Reload {

  private static final Logger LOG = Logger.getLogger(Reload.class.getName());

  private final TandemRouter router;
  private final String trigger;

  Reload(TandemRouter router, String trigger) {
    this.router = router;
    this.trigger = trigger;
  }

  Future<JsonObject> run() {
    TandemConfig running = router.state().config();
    String file = router.source().file().map(Object::toString).orElse("(no config file)");
    return router
        .source()
        .load()
        .compose(
            next -> {
              if (next.equals(running)) {
                return router
                    .updateTls(next)
                    .map(v -> outcome("unchanged", List.of()))
                    .onSuccess(v -> router.metrics().reload("unchanged"));
              }
              List<String> restart = RestartKeys.changed(router.startConfig(), next);
              long generation = router.state().generation() + 1;
              return router
                  .vertx()
                  .executeBlocking(() -> router.builder().build(next, generation), false)
                  .compose(
                      built -> {
                        router.swap(built);
                        return router.updateTls(next).map(v -> built);
                      })
                  .map(
                      built -> {
                        router.metrics().reload("applied");
                        LOG.info(
                            "config reload ("
                                + trigger
                                + "): applied "
                                + file
                                + " as generation "
                                + generation
                                + ": "
                                + built.summary()
                                + (restart.isEmpty()
                                    ? ""
                                    : "; NOT applied until a restart: "
                                        + restart
                                        + " (still "
                                        + "listening as started)"));
                        return outcome("applied", restart);
                      });
            })
        .recover(
            error -> {
              router.metrics().reload("rejected");
              String message = message(error);
              LOG.warning(
                  "config reload ("
                      + trigger
                      + "): rejected "
                      + file
                      + ": "
                      + message
                      + "; keeping generation "
                      + router.state().generation());
              return Future.succeededFuture(
                  outcome("rejected", List.of())
                      .put("error", message)
                      .put("key", error instanceof ConfigException c ? c.key() : null));
            });
  }

  private JsonObject outcome(String result, List<String> restart) {
    return new JsonObject()
        .put("result", result)
        .put("trigger", trigger)
        .put("generation", router.state().generation())
        .put("restart_required", new JsonArray(List.copyOf(restart)));
  }

  private static String message(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t && !(t instanceof IllegalArgumentException)) {
      t = t.getCause();
    }
    return Optional.ofNullable(t.getMessage()).orElse(t.toString());
  }
}
