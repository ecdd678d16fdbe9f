package dev.tandem.router.metrics;

import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.Stages;
import dev.tandem.speccore.Verdict;
import dev.tandem.speccore.Verifier;
import dev.tandem.speccore.VerifierSession;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A {@link Verifier} whose sessions report each verify call's latency and draft length, and count
 * themselves open until closed.
 *
 * <p>Threading: as the wrapped verifier; the meters are thread-safe.
 */
final class MeteredVerifier implements Verifier {

  private final Verifier delegate;
  private final Function<String, Timer> callDurationAt;
  private final Map<String, Timer> callDuration = new ConcurrentHashMap<>();
  private final DistributionSummary draftLength;
  private final AtomicInteger sessionsOpen;

  MeteredVerifier(
      Verifier delegate,
      Function<String, Timer> callDurationAt,
      DistributionSummary draftLength,
      AtomicInteger sessionsOpen) {
    this.delegate = delegate;
    this.callDurationAt = callDurationAt;
    this.draftLength = draftLength;
    this.sessionsOpen = sessionsOpen;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public boolean isLocal() {
    return delegate.isLocal();
  }

  @Override
  public boolean throughputBound() {
    return delegate.throughputBound();
  }

  @Override
  public double callCostPositions() {
    return delegate.callCostPositions();
  }

  @Override
  public double positionCostToOthersNanos() {
    return delegate.positionCostToOthersNanos();
  }

  @Override
  public CompletionStage<VerifierSession> open(
      int[] promptTokens, SamplingParams params, int maxLength) {
    return delegate
        .open(promptTokens, params, maxLength)
        .thenApply(
            session -> {
              sessionsOpen.incrementAndGet();
              return new Session(session);
            });
  }

  /**
   * Times each verify call, in the listener form ({@link VerifierSession#verify(DraftBlock,
   * BiConsumer)}; the stage form goes through it): this session is the wrapped session's listener,
   * reused since one verify is outstanding at a time, so nothing is allocated per call.
   */
  private final class Session implements VerifierSession, BiConsumer<Verdict, Throwable> {
    private final VerifierSession delegate;
    private final AtomicBoolean closed = new AtomicBoolean();
    private long start; // of the verify in flight
    private BiConsumer<? super Verdict, ? super Throwable> done; // its caller's listener

    Session(VerifierSession delegate) {
      this.delegate = delegate;
    }

    @Override
    public int firstToken() {
      return delegate.firstToken();
    }

    @Override
    public String location() {
      return delegate.location();
    }

    @Override
    public CompletionStage<Verdict> verify(DraftBlock draft) {
      return Stages.of(done -> verify(draft, done));
    }

    @Override
    public void verify(DraftBlock draft, BiConsumer<? super Verdict, ? super Throwable> done) {
      draftLength.record(draft.tokens().length);
      this.done = done;
      this.start = System.nanoTime();
      delegate.verify(draft, this);
    }

    /** The wrapped session's verify completed. */
    @Override
    public void accept(Verdict verdict, Throwable error) {
      callDuration
          .computeIfAbsent(delegate.location(), callDurationAt)
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      BiConsumer<? super Verdict, ? super Throwable> caller = done;
      done = null;
      caller.accept(verdict, error);
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        sessionsOpen.decrementAndGet();
      }
      delegate.close();
    }
  }
}
