package dev.tandem.verifier.tls;

import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.logging.Logger;

/**
 * TLS for Tandem's listeners and clients: PEM files, ALPN (h2, http/1.1), Netty's OpenSSL engine
 * (BoringSSL through netty-tcnative) when it loads, else the JDK's, with a log line saying which
 * and why. Stateless.
 */
public final class Tls {

  private static final Logger LOG = Logger.getLogger(Tls.class.getName());

  private Tls() {}

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

  /** Why the JDK engine is used, or an empty string on OpenSSL. */
  private static String fallbackReason() {
    return OpenSSLEngineOptions.isAvailable()
        ? ""
        : " (netty-tcnative's OpenSSL did not load: " + OpenSsl.unavailabilityCause() + ")";
  }

  /**
   * The server-side options for {@code files} (also what a certificate reload swaps in).
   *
   * @param clientAuth with a client CA: {@link ClientAuth#REQUIRED} refuses connections without a
   *     trusted client certificate; {@link ClientAuth#REQUEST} lets them in, for whoever needs one
   *     to check the session
   */
  public static ServerSSLOptions serverSsl(ServerTlsFiles files, ClientAuth clientAuth) {
    ServerSSLOptions ssl =
        new ServerSSLOptions()
            .setUseAlpn(true)
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertPath(files.cert().toString())
                    .setKeyPath(files.key().toString()));
    files
        .clientCa()
        .ifPresent(
            ca ->
                ssl.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
                    .setClientAuth(clientAuth));
    return ssl;
  }

  /** Turns TLS on for a listener; {@code clientAuth} as in {@link #serverSsl}. */
  public static HttpServerOptions apply(
      HttpServerOptions options, ServerTlsFiles files, ClientAuth clientAuth, String who) {
    ServerSSLOptions ssl = serverSsl(files, clientAuth);
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
        who
            + " tls: engine="
            + engineName()
            + fallbackReason()
            + " cert="
            + files.cert()
            + " client certificates "
            + files
                .clientCa()
                .map(ca -> clientAuth.name().toLowerCase() + ", checked against " + ca)
                .orElse("not asked for"));
    return options;
  }

  /** Turns TLS on for a client: servers must present a certificate signed by {@code files.ca}. */
  public static HttpClientOptions apply(HttpClientOptions options, ClientTlsFiles files) {
    options
        .setSsl(true)
        .setUseAlpn(true)
        .setSslEngineOptions(engine())
        .setTrustOptions(new PemTrustOptions().addCertPath(files.ca().toString()));
    files
        .cert()
        .ifPresent(
            cert ->
                options.setKeyCertOptions(
                    new PemKeyCertOptions()
                        .setCertPath(cert.toString())
                        .setKeyPath(files.key().orElseThrow().toString())));
    return options;
  }
}
