package dev.tandem.router.boot;

import dev.tandem.router.config.ConfigSource;
import dev.tandem.router.config.TandemConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.logging.Logger;

/**
 * Watches the config file: every scan period it fingerprints the file (off the event loop); once a
 * changed content has stayed the same for the debounce time it asks for a reload, once per distinct
 * content. So an editor's half-written file is not read, a bad file is reported once (not at every
 * scan), and writing the previous good content back reloads it again.
 *
 * <p>Threading: its timer and callbacks run on the router's context.
 */
final class ConfigWatcher {

  private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());

  private final Vertx vertx;
  private final Context context;
  private final ConfigSource source;
  private final TandemConfig.Reload settings;
  private final Runnable reload;
  private String seen;
  private long seenSinceNanos;
  private String handled;
  private long timer = -1;
  private boolean scanning;

  ConfigWatcher(
      Vertx vertx,
      Context context,
      ConfigSource source,
      TandemConfig.Reload settings,
      Runnable reload) {
    this.vertx = vertx;
    this.context = context;
    this.source = source;
    this.settings = settings;
    this.reload = reload;
  }

  /** Takes the file's current content as already applied and starts scanning. */
  void start() {
    context.runOnContext(
        v ->
            vertx
                .executeBlocking(source::fingerprint, false)
                .onComplete(
                    ar -> {
                      handled = seen = ar.succeeded() ? ar.result() : "";
                      timer = vertx.setPeriodic(settings.scanPeriod().toMillis(), id -> scan());
                    }));
  }

  private void scan() {
    if (scanning) {
      return;
    }
    scanning = true;
    vertx
        .executeBlocking(this::fingerprintOrProblem, false)
        .onComplete(
            ar -> {
              scanning = false;
              observe(ar.succeeded() ? ar.result() : "unreadable: " + ar.cause());
            });
  }

  private String fingerprintOrProblem() {
    try {
      return source.fingerprint();
    } catch (RuntimeException e) {
      return "unreadable: " + e.getMessage();
    }
  }

  private void observe(String fingerprint) {
    long now = System.nanoTime();
    if (!fingerprint.equals(seen)) {
      seen = fingerprint;
      seenSinceNanos = now;
      return;
    }
    if (fingerprint.equals(handled) || now - seenSinceNanos < settings.debounce().toNanos()) {
      return;
    }
    handled = fingerprint;
    LOG.fine("config file changed; reloading");
    reload.run();
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
