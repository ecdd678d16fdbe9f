package dev.tandem.verifier.tls;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A server's TLS material, PEM files.
 *
 * @param cert certificate chain
 * @param key private key
 * @param clientCa CA that signs client certificates; when present clients must present one
 */
public record ServerTlsFiles(Path cert, Path key, Optional<Path> clientCa) {
  public ServerTlsFiles {
    if (cert == null || key == null || clientCa == null) {
      throw new IllegalArgumentException("cert and key are required, clientCa may be empty");
    }
  }
}
