package dev.tandem.speccore;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The two ways between a {@link CompletionStage} and a listener that the speculation loop and the
 * verifier sessions use.
 *
 * <p>Stateless.
 */
public final class Stages {

  private Stages() {}

  /**
   * Tells {@code listener} the outcome of {@code stage}: at once, on this thread, when it is a
   * plain {@link CompletableFuture} that is already done (a drafter that answers at once, a sink
   * with room), where {@code whenComplete} would make a dependent future for nothing; else when it
   * completes.
   */
  public static <T> void whenDone(
      CompletionStage<T> stage, BiConsumer<? super T, ? super Throwable> listener) {
    if (stage.getClass() == CompletableFuture.class) {
      CompletableFuture<T> future = (CompletableFuture<T>) stage;
      if (future.isDone() && !future.isCancelled()) { // cancelled: exceptionNow() would throw
        if (future.isCompletedExceptionally()) {
          listener.accept(null, future.exceptionNow());
        } else {
          listener.accept(future.resultNow(), null);
        }
        return;
      }
    }
    stage.whenComplete(listener);
  }

  /**
   * A stage completed with what the listener that {@code start} is given is told: the stage form of
   * a listener-style call, e.g. {@code Stages.of(done -> verify(draft, done))}.
   */
  public static <T> CompletionStage<T> of(
      Consumer<BiConsumer<? super T, ? super Throwable>> start) {
    CompletableFuture<T> future = new CompletableFuture<>();
    start.accept(
        (value, error) -> {
          if (error != null) {
            future.completeExceptionally(error);
          } else {
            future.complete(value);
          }
        });
    return future;
  }
}
