package dev.tandem.verifier.tls;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A client's TLS material, PEM files.
 *
 * @param ca CA that signs the servers' certificates
 * @param cert client certificate for servers that require one (with {@code key})
 * @param key the client certificate's private key
 */
public record ClientTlsFiles(Path ca, Optional<Path> cert, Optional<Path> key) {
  public ClientTlsFiles {
    if (ca == null || cert == null || key == null) {
      throw new IllegalArgumentException("ca is required; cert and key may be empty");
    }
    if (cert.isPresent() != key.isPresent()) {
      throw new IllegalArgumentException("a client certificate needs its key, and a key its cert");
    }
  }
}
