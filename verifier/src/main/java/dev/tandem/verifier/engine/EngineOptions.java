package dev.tandem.verifier.engine;

import java.time.Duration;

/**
 * Limits and batching settings of a {@link SessionEngine}.
 *
 * @param maxSessions most sessions open at once, {@code >= 1}
 * @param maxKvTokens most KV positions reserved by all open sessions together (each session
 *     reserves its max length plus draft slack at open), {@code >= 1}
 * @param idleTimeout a session with no call for this long (and none in flight) is closed by the
 *     reaper; positive
 * @param maxBatchRows most token rows one batched forward scores, {@code >= 1}
 * @param maxBatchWait how long queued work may wait for other sessions' work before its batch runs
 *     anyway; zero runs every batch as soon as the model is free
 */
public record EngineOptions(
    int maxSessions,
    long maxKvTokens,
    Duration idleTimeout,
    int maxBatchRows,
    Duration maxBatchWait) {

  /** 64 sessions, 1M KV positions, 60 s idle timeout, 256-row batches, 1 ms batch wait. */
  public static final EngineOptions DEFAULTS =
      new EngineOptions(64, 1 << 20, Duration.ofSeconds(60), 256, Duration.ofMillis(1));

  public EngineOptions {
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be >= 1, got " + maxSessions);
    }
    if (maxKvTokens < 1) {
      throw new IllegalArgumentException("maxKvTokens must be >= 1, got " + maxKvTokens);
    }
    if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
    }
    if (maxBatchRows < 1) {
      throw new IllegalArgumentException("maxBatchRows must be >= 1, got " + maxBatchRows);
    }
    if (maxBatchWait == null || maxBatchWait.isNegative()) {
      throw new IllegalArgumentException("maxBatchWait must be >= 0, got " + maxBatchWait);
    }
  }

  public EngineOptions withMaxSessions(int value) {
    return new EngineOptions(value, maxKvTokens, idleTimeout, maxBatchRows, maxBatchWait);
  }

  public EngineOptions withMaxKvTokens(long value) {
    return new EngineOptions(maxSessions, value, idleTimeout, maxBatchRows, maxBatchWait);
  }

  public EngineOptions withIdleTimeout(Duration value) {
    return new EngineOptions(maxSessions, maxKvTokens, value, maxBatchRows, maxBatchWait);
  }

  public EngineOptions withMaxBatchRows(int value) {
    return new EngineOptions(maxSessions, maxKvTokens, idleTimeout, value, maxBatchWait);
  }

  public EngineOptions withMaxBatchWait(Duration value) {
    return new EngineOptions(maxSessions, maxKvTokens, idleTimeout, maxBatchRows, value);
  }
}
