package dev.tandem.router.engine;

import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.DraftSession;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A request's draft session that cannot fail the request: when the drafter throws, fails a stage,
 * or takes longer than the timeout (to open, prefill or propose), the request continues with plain
 * decoding (empty drafts) and {@code onFailure} is told once. Output does not change: speculation
 * only ever changes speed, and an empty draft is an exact plain step.
 *
 * <p>The wrapped session still sees its contract kept: after a timeout, its late proposal is
 * awaited before it is closed, and it gets no commit once it failed.
 *
 * <p>Threading: as {@link DraftSession} (one caller at a time, any thread); the timeout fires on a
 * Vert.x event loop ({@link DraftWatchdog}), and what it shares with the caller is guarded by
 * {@code this}.
 */
final class FallbackDraftSession implements DraftSession {

  private final DraftSession inner; // null when the drafter could not even open
  private final Vertx vertx;
  private final DraftWatchdog watchdog;
  private final Consumer<Throwable> onFailure;
  private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);
  private boolean failed;
  private boolean closed;

  private FallbackDraftSession(
      DraftSession inner, Vertx vertx, DraftWatchdog watchdog, Consumer<Throwable> onFailure) {
    this.inner = inner;
    this.vertx = vertx;
    this.watchdog = watchdog;
    this.onFailure = onFailure;
  }

  /** Wraps a session that opened; its calls are timed out by {@code watchdog}. */
  static FallbackDraftSession of(
      DraftSession inner, Vertx vertx, DraftWatchdog watchdog, Consumer<Throwable> onFailure) {
    return new FallbackDraftSession(inner, vertx, watchdog, onFailure);
  }

  /** The drafter failed to open: plain decoding from the first step. */
  static FallbackDraftSession failedToOpen(
      Throwable cause, Vertx vertx, Consumer<Throwable> onFailure) {
    FallbackDraftSession session =
        new FallbackDraftSession(null, vertx, new DraftWatchdog(Duration.ofMillis(1)), onFailure);
    session.fail(cause);
    return session;
  }

  @Override
  public CompletionStage<Void> ready() {
    if (isFailed()) {
      return CompletableFuture.completedFuture(null);
    }
    return guard(inner::ready, null);
  }

  @Override
  public CompletionStage<DraftBlock> propose(int k) {
    if (isFailed()) {
      return CompletableFuture.completedFuture(DraftBlock.empty());
    }
    return guard(() -> inner.propose(k), DraftBlock.empty());
  }

  @Override
  public long lastDraftingNanos() {
    return isFailed() ? -1 : inner.lastDraftingNanos();
  }

  @Override
  public void commit(int keptDraftTokens, int nextToken) {
    if (isFailed()) {
      return;
    }
    try {
      inner.commit(keptDraftTokens, nextToken);
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void close() {
    CompletableFuture<?> pending;
    synchronized (this) {
      if (closed || inner == null) {
        closed = true;
        return;
      }
      closed = true;
      pending = inFlight;
    }
    // A call that timed out may still be running: close after it, never during it.
    pending.whenComplete((v, e) -> inner.close());
  }

  /** Runs a drafter call; its failure or timeout completes the stage with {@code fallback}. */
  private <T> CompletionStage<T> guard(
      java.util.function.Supplier<CompletionStage<T>> call, T fallback) {
    CompletableFuture<T> stage;
    try {
      stage = call.get().toCompletableFuture();
    } catch (RuntimeException e) {
      fail(e);
      return CompletableFuture.completedFuture(fallback);
    }
    if (stage.isDone()) { // answered at once (no prefill, a cheap drafter): nothing to time out
      return settledAtOnce(stage, fallback);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    synchronized (this) {
      inFlight = stage;
    }
    // Whichever comes first, the answer or the timeout, settles the call; a failure is reported
    // before the loop continues (completing the stage may run the rest of the request).
    DraftWatchdog.Call watched =
        watchdog.watch(
            vertx,
            () -> {
              fail(new TimeoutException("no answer within " + watchdog.timeoutMillis() + " ms"));
              result.complete(fallback);
            });
    stage.whenComplete(
        (value, error) -> {
          if (!watched.settle()) {
            return;
          }
          if (error != null) {
            fail(error);
            result.complete(fallback);
          } else {
            result.complete(value);
          }
        });
    return result;
  }

  private <T> CompletionStage<T> settledAtOnce(CompletableFuture<T> stage, T fallback) {
    if (stage.isCompletedExceptionally()) {
      fail(stage.exceptionNow());
      return CompletableFuture.completedFuture(fallback);
    }
    return stage;
  }

  private synchronized boolean isFailed() {
    return failed;
  }

  private void fail(Throwable cause) {
    synchronized (this) {
      if (failed) {
        return;
      }
      failed = true;
    }
    onFailure.accept(cause);
  }
}
