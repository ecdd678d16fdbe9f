package dev.tandem.router.http;

import dev.tandem.router.RouterState;
import dev.tandem.router.config.TandemConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * {@code POST /admin/reload} (read the config file again and apply it when valid) and {@code GET
 * /admin/config} (the effective configuration, secrets redacted, with its generation and load
 * time). Served to loopback clients only unless {@code admin.allow_remote}, and only to clients
 * with a trusted certificate when {@code admin.require_client_cert}; others get 403.
 *
 * <p>Threading: handlers run on the connection's event loop.
 */
public final class AdminEndpoint {

  /** What the admin endpoints act on. */
  public interface Actions {
    /**
     * Reloads the configuration.
     *
     * @param trigger who asked, for the log ("admin", "file", "SIGHUP")
     * @return the outcome as JSON: {@code result} (applied, unchanged, rejected), the generation in
     *     effect, the error when rejected, keys that need a restart
     */
    Future<JsonObject> reload(String trigger);

    /** The effective configuration as JSON, secrets redacted. */
    JsonObject effectiveConfig();
  }

  private final Supplier<RouterState> state;
  private final Actions actions;

  public AdminEndpoint(Supplier<RouterState> state, Actions actions) {
    this.state = state;
    this.actions = actions;
  }

  public void mount(Router router) {
    router.route("/admin/*").handler(this::authorize);
    router.post("/admin/reload").handler(this::reload);
    router.get("/admin/config").handler(ctx -> ctx.json(actions.effectiveConfig()));
    router
        .get("/admin/usage")
        .handler(
            ctx ->
                UsageEndpoint.serve(
                    ctx,
                    state.get().engine().cost().store(),
                    null,
                    state.get().config().cost().metricTags(),
                    state.get().engine().cost().clock()));
  }

  private void authorize(RoutingContext ctx) {
    TandemConfig.Admin admin = state.get().config().admin();
    if (!admin.allowRemote() && !isLoopback(ctx.request().remoteAddress())) {
      forbid(ctx, "admin endpoints serve loopback clients only (admin.allow_remote: false)");
      return;
    }
    if (admin.requireClientCert() && !hasTrustedClientCertificate(ctx.request().sslSession())) {
      forbid(
          ctx,
          "admin endpoints need a client certificate signed by tls.client_ca"
              + " (admin.require_client_cert: true)");
      return;
    }
    ctx.next();
  }

  private void reload(RoutingContext ctx) {
    actions
        .reload("admin")
        .onSuccess(
            outcome -> {
              ctx.response()
                  .setStatusCode("rejected".equals(outcome.getString("result")) ? 422 : 200);
              ctx.json(outcome);
            })
        .onFailure(ctx::fail);
  }

  private static void forbid(RoutingContext ctx, String message) {
    ctx.response().setStatusCode(403);
    ctx.json(
        new JsonObject()
            .put("error", new JsonObject().put("message", message).put("type", "forbidden")));
  }

  private static boolean isLoopback(SocketAddress address) {
    if (address == null || address.hostAddress() == null) {
      return false;
    }
    try {
      return InetAddress.getByName(address.hostAddress()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static boolean hasTrustedClientCertificate(SSLSession session) {
    if (session == null) {
      return false;
    }
    try {
      return session.getPeerCertificates().length > 0;
    } catch (SSLPeerUnverifiedException e) {
      return false;
    }
  }
}
