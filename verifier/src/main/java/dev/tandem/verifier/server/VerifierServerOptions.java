package dev.tandem.verifier.server;

import dev.tandem.verifier.engine.EngineOptions;

/**
 * How a {@link VerifierServer} listens and serves.
 *
 * @param host interface to bind: {@code 127.0.0.1} by default, {@code 0.0.0.0} for every interface
 * @param port TCP port; 0 picks a free one ({@link VerifierServer#start} reports it)
 * @param engine session limits and batching
 * @param modelThreads threads of the model runtime a {@link VerifierServer#loading} server creates:
 *     batched forwards over different sessions that may run at once, {@code >= 1}
 */
public record VerifierServerOptions(String host, int port, EngineOptions engine, int modelThreads) {

  public static final VerifierServerOptions DEFAULTS =
      new VerifierServerOptions("127.0.0.1", 50061, EngineOptions.DEFAULTS, 1);

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
    if (modelThreads < 1 || modelThreads > 256) {
      throw new IllegalArgumentException("modelThreads must be in 1..256, got " + modelThreads);
    }
  }

  public VerifierServerOptions withHost(String value) {
    return new VerifierServerOptions(value, port, engine, modelThreads);
  }

  public VerifierServerOptions withPort(int value) {
    return new VerifierServerOptions(host, value, engine, modelThreads);
  }

  public VerifierServerOptions withEngine(EngineOptions value) {
    return new VerifierServerOptions(host, port, value, modelThreads);
  }

  public VerifierServerOptions withModelThreads(int value) {
    return new VerifierServerOptions(host, port, engine, value);
  }
}
