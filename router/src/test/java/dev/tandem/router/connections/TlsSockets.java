package dev.tandem.router.connections;

import dev.tandem.router.config.TandemConfig;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A self-signed certificate for a test router and raw TLS sockets that trust it. */
final class TlsSockets {

  private TlsSockets() {}

  static TandemConfig.Tls selfSigned() {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    return new TandemConfig.Tls(
        Path.of(cert.certificatePath()), Path.of(cert.privateKeyPath()), Optional.empty());
  }

  /** A TLS socket to the router, handshake done (no ALPN: the server speaks HTTP/1.1). */
  static Socket connect(int port) throws IOException, GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new TrustAll()}, null);
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(RawHttp.BOUND_MS);
    socket.setTcpNoDelay(true);
    socket.startHandshake();
    return socket;
  }

  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
