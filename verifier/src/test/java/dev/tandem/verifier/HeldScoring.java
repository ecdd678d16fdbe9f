package dev.tandem.verifier;

import dev.tandem.verifier.engine.ScoringModel;
import dev.tandem.verifier.engine.ScoringSequence;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A model whose forwards can be held: after {@link #hold()}, each forward computes as usual but its
 * result is handed back only at {@link #release()}. So a test can keep a verify call pending for as
 * long as it needs (to cancel its stream, to take the server away) without guessing at a delay. No
 * thread waits while a result is held.
 *
 * <p>Thread-safe.
 */
final class HeldScoring implements ScoringModel {

  private final ScoringModel delegate;
  private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

  HeldScoring(ScoringModel delegate) {
    this.delegate = delegate;
  }

  /** Holds the results of the forwards that start from now on. */
  void hold() {
    gate = new CompletableFuture<>();
  }

  /** Hands back every held result. */
  void release() {
    gate.complete(null);
  }

  @Override
  public CompletableFuture<List<float[][]>> forward(List<Input> inputs) {
    CompletableFuture<Void> held = gate;
    return delegate.forward(inputs).thenCombine(held, (rows, released) -> rows);
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public int vocabSize() {
    return delegate.vocabSize();
  }

  @Override
  public int contextLength() {
    return delegate.contextLength();
  }

  @Override
  public int parallelForwards() {
    return delegate.parallelForwards();
  }

  @Override
  public ScoringSequence newSequence(int capacity) {
    return delegate.newSequence(capacity);
  }
}
