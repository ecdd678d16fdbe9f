package dev.tandem.router;

import dev.tandem.router.config.TandemConfig;
import dev.tandem.verifier.tls.ServerTlsFiles;
import dev.tandem.verifier.tls.Tls;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ServerSSLOptions;

/**
 * TLS for the router's listener from the config's {@code tls} mapping (see {@link Tls}: PEM, ALPN
 * h2 + http/1.1, OpenSSL engine when it loads). Stateless.
 */
final class ServerTls {

  private ServerTls() {}

  static void configure(HttpServerOptions options, TandemConfig.Tls tls) {
    // Clients may present a certificate; the admin endpoints check for one when configured to.
    Tls.apply(options, files(tls), ClientAuth.REQUEST, "router");
  }

  static ServerSSLOptions sslOptions(TandemConfig.Tls tls) {
    return Tls.serverSsl(files(tls), ClientAuth.REQUEST);
  }

  private static ServerTlsFiles files(TandemConfig.Tls tls) {
    return new ServerTlsFiles(tls.cert(), tls.key(), tls.clientCa());
  }
}
