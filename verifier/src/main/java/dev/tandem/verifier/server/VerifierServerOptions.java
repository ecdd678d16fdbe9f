package dev.tandem.verifier.server;

import dev.tandem.verifier.engine.EngineOptions;
import java.time.Duration;

/**
 * How a {@link VerifierServer} listens and serves.
 *
 * @param host interface to bind, e.g. {@code 0.0.0.0}
 * @param port TCP port; 0 picks a free one ({@link VerifierServer#start} reports it)
 * @param engine session limits and batching
 * @param perCallDelay extra delay before every response, standing for a network hop to a GPU box
 *     (benchmark profiles); zero in production. The model computation stays real.
 * @param modelThreads threads of the model runtime a {@link VerifierServer#loading} server creates:
 *     batched forwards over different sessions that may run at once, {@code >= 1}
 */
public record VerifierServerOptions(
    String host, int port, EngineOptions engine, Duration perCallDelay, int modelThreads) {

  public static final VerifierServerOptions DEFAULTS =
      new VerifierServerOptions("0.0.0.0", 50061, EngineOptions.DEFAULTS, Duration.ZERO, 1);

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
    if (perCallDelay == null || perCallDelay.isNegative()) {
      throw new IllegalArgumentException("perCallDelay must be >= 0, got " + perCallDelay);
    }
    if (modelThreads < 1 || modelThreads > 256) {
      throw new IllegalArgumentException("modelThreads must be in 1..256, got " + modelThreads);
    }
  }

  public VerifierServerOptions withHost(String value) {
    return new VerifierServerOptions(value, port, engine, perCallDelay, modelThreads);
  }

  public VerifierServerOptions withPort(int value) {
    return new VerifierServerOptions(host, value, engine, perCallDelay, modelThreads);
  }

  public VerifierServerOptions withEngine(EngineOptions value) {
    return new VerifierServerOptions(host, port, value, perCallDelay, modelThreads);
  }

  public VerifierServerOptions withPerCallDelay(Duration value) {
    return new VerifierServerOptions(host, port, engine, value, modelThreads);
  }

  public VerifierServerOptions withModelThreads(int value) {
    return new VerifierServerOptions(host, port, engine, perCallDelay, value);
  }
}
