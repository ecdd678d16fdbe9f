package dev.tandem.router;

import dev.tandem.router.config.TandemConfig;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.logging.Logger;

/**
 * TLS for the router's listener: PEM certificate and key, ALPN (h2 and http/1.1), optional client
 * certificates checked against a CA, on Netty's OpenSSL engine (BoringSSL through netty-tcnative)
 * when it loads, else the JDK's, with a log line saying which. Stateless.
 */
public final class ServerTls {

  private static final Logger LOG = Logger.getLogger(ServerTls.class.getName());

  private ServerTls() {}

  /** The engine TLS runs on here: OpenSSL when netty-tcnative loads, else the JDK's. */
  public static SSLEngineOptions engine() {
    return OpenSSLEngineOptions.isAvailable()
        ? new OpenSSLEngineOptions()
        : new JdkSSLEngineOptions();
  }

  /** "openssl" or "jdk". */
  public static String engineName() {
    return OpenSSLEngineOptions.isAvailable() ? "openssl" : "jdk";
  }

  static void configure(HttpServerOptions options, TandemConfig.Tls tls) {
    ServerSSLOptions ssl = sslOptions(tls);
    options
        .setSsl(true)
        .setUseAlpn(true)
        .setSslEngineOptions(engine())
        .setKeyCertOptions(ssl.getKeyCertOptions())
        .setClientAuth(ssl.getClientAuth());
    if (ssl.getTrustOptions() != null) {
      options.setTrustOptions(ssl.getTrustOptions());
    }
    LOG.info(
        "tls: on, engine="
            + engineName()
            + (engineName().equals("jdk")
                ? " (netty-tcnative's OpenSSL did not load: "
                    + io.netty.handler.ssl.OpenSsl.unavailabilityCause()
                    + ")"
                : "")
            + ", cert="
            + tls.cert()
            + ", client certificates "
            + (tls.clientCa().isPresent()
                ? "checked against " + tls.clientCa().get()
                : "not asked for"));
  }

  static ServerSSLOptions sslOptions(TandemConfig.Tls tls) {
    ServerSSLOptions ssl =
        new ServerSSLOptions()
            .setUseAlpn(true)
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertPath(tls.cert().toString())
                    .setKeyPath(tls.key().toString()));
    tls.clientCa()
        .ifPresent(
            ca ->
                ssl.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
                    .setClientAuth(ClientAuth.REQUEST));
    return ssl;
  }
}
