package dev.tandem.verifier.engine;

import dev.tandem.speccore.SamplingParams;

/**
 * One session's state: its sequence (KV cache), sampling parameters, the token the caller must send
 * next, and whether work for it is queued or running. Its random draws come from {@link
 * dev.tandem.speccore.StepRandom}, keyed by the seed and the step's position.
 *
 * <p>Threading: fields are guarded by {@code this}. The sequence is touched only by the work item
 * that holds the session busy, on the model's thread.
 */
final class EngineSession {

  final long id;
  final ScoringSequence sequence;
  final SamplingParams params;
  final int reservedKv;

  private boolean busy;
  private boolean closed;
  private int expectedLastToken = -1;
  private long lastActivityNanos;
  // Written by the batch scheduler at submit, read by the verdict on the model thread.
  private volatile ScoringLoad load = ScoringLoad.UNKNOWN;

  EngineSession(long id, ScoringSequence sequence, SamplingParams params, long now) {
    this.id = id;
    this.sequence = sequence;
    this.params = params;
    this.reservedKv = sequence.capacity();
    this.busy = true; // the prefill is queued as soon as the session exists
    this.lastActivityNanos = now;
  }

  /** How loaded the server was when this session's last work was submitted (its verdict's). */
  void load(ScoringLoad load) {
    this.load = load;
  }

  ScoringLoad load() {
    return load;
  }

  synchronized boolean isBusy() {
    return busy;
  }

  synchronized boolean isClosed() {
    return closed;
  }

  /** Marks closed; true the first time. */
  synchronized boolean markClosed() {
    if (closed) {
      return false;
    }
    closed = true;
    return true;
  }

  /**
   * Checks a verify against the session's state and marks it busy.
   *
   * @throws SessionClosedException when closed
   * @throws IllegalStateException when a verify is already in flight
   * @throws PositionMismatchException when position or last token disagree with the session
   */
  synchronized void beginVerify(int position, int lastToken, long now) {
    if (closed) {
      throw new SessionClosedException("session " + id + " is closed");
    }
    if (busy) {
      throw new IllegalStateException(
          "session " + id + " already has a call in flight; send one verify at a time");
    }
    if (position != sequence.length()) {
      throw new PositionMismatchException(
          "verify position must be the session's length "
              + sequence.length()
              + ", got "
              + position);
    }
    if (lastToken != expectedLastToken) {
      throw new PositionMismatchException(
          "verify last_token must be the token the verifier emitted last, "
              + expectedLastToken
              + ", got "
              + lastToken);
    }
    busy = true;
    lastActivityNanos = now;
  }

  /** The work for this session finished; {@code nextToken} is what the caller must send next. */
  synchronized void endWork(int nextToken, long now) {
    expectedLastToken = nextToken;
    busy = false;
    lastActivityNanos = now;
  }

  /** True when the session is open, has nothing in flight and saw no call since {@code cutoff}. */
  synchronized boolean idleSince(long cutoffNanos) {
    return !closed && !busy && lastActivityNanos - cutoffNanos < 0;
  }
}
