package dev.tandem.verifier.server;

import dev.tandem.verifier.engine.EngineOptions;
import dev.tandem.verifier.tls.ServerTlsFiles;
import java.util.Optional;

/**
 * How a {@link VerifierServer} listens and serves.
 *
 * @param host interface to bind: {@code 127.0.0.1} by default, {@code 0.0.0.0} for every interface
 * @param port TCP port; 0 picks a free one ({@link VerifierServer#start} reports it)
 * @param engine session limits and batching
 * @param tls TLS for the listener, or empty for plaintext
 * @param modelThreads threads of the model runtime a {@link VerifierServer#loading} server creates:
 *     batched forwards over different sessions that may run at once, {@code >= 1}
 */
public record VerifierServerOptions(
    String host, int port, EngineOptions engine, int modelThreads, Optional<ServerTlsFiles> tls) {

  public static final VerifierServerOptions DEFAULTS =
      new VerifierServerOptions("127.0.0.1", 50061, EngineOptions.DEFAULTS, 1, Optional.empty());

  public VerifierServerOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be in 0..65535, got " + port);
    }
    if (engine == null) {
      throw new IllegalArgumentException("engine options must be set");
    }
    if (tls == null) {
      throw new IllegalArgumentException("tls must not be null (Optional.empty() for plaintext)");
    }
    if (modelThreads < 1 || modelThreads > 256) {
      throw new IllegalArgumentException("modelThreads must be in 1..256, got " + modelThreads);
    }
  }

  public VerifierServerOptions withHost(String value) {
    return new VerifierServerOptions(value, port, engine, modelThreads, tls);
  }

  public VerifierServerOptions withPort(int value) {
    return new VerifierServerOptions(host, value, engine, modelThreads, tls);
  }

  public VerifierServerOptions withEngine(EngineOptions value) {
    return new VerifierServerOptions(host, port, value, modelThreads, tls);
  }

  public VerifierServerOptions withModelThreads(int value) {
    return new VerifierServerOptions(host, port, engine, value, tls);
  }

  /** Serve TLS with these files (ALPN h2; client certificates when a client CA is given). */
  public VerifierServerOptions withTls(ServerTlsFiles value) {
    return new VerifierServerOptions(host, port, engine, modelThreads, Optional.of(value));
  }
}
