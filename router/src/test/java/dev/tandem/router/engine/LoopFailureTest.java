package dev.tandem.router.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.synthetic.SyntheticBackend;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.Verdict;
import dev.tandem.speccore.Verifier;
import dev.tandem.speccore.VerifierSession;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream whose loop fails after it started (here a verifier session that throws an {@link
 * IllegalArgumentException} at its third verify: a bug, not the caller's input) ends INTERNAL, not
 * INVALID_ARGUMENT: the caller's request was checked and accepted before the loop ran.
 */
class LoopFailureTest {

  private final Vertx vertx = Vertx.vertx();
  private final SyntheticBackend backend =
      new SyntheticBackend(0, 0.8, at -> CompletableFuture.completedFuture(at));

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void anIllegalArgumentInsideTheLoopEndsTheStreamInternal() throws Exception {
    Verifier inner = backend.verifier();
    Verifier throwing =
        new Verifier() {
          @Override
          public String name() {
            return inner.name();
          }

          @Override
          public CompletionStage<VerifierSession> open(
              int[] promptTokens, SamplingParams params, int maxLength) {
            return inner.open(promptTokens, params, maxLength).thenApply(ThrowsAtThirdVerify::new);
          }
        };
    GenerationEngine engine =
        SyntheticEngines.engine(
            backend, throwing, "synthetic", backend.drafter(), GenerationObserver.NONE);
    CompletableFuture<StreamEnd> end =
        SyntheticEngines.run(
            vertx,
            engine,
            SyntheticEngines.greedyFixedK4(60),
            ChunkWriter.into(new StringBuilder()));
    StreamEnd.Failed failed =
        assertInstanceOf(StreamEnd.Failed.class, end.get(30, TimeUnit.SECONDS));
    assertEquals(ErrorKind.INTERNAL, failed.error().kind(), failed.error().getMessage());
    assertTrue(
        failed.error().getMessage().contains("draft out of step"), failed.error().getMessage());
  }

  /** Passes two verifies on, then throws as a broken backend would. */
  private static final class ThrowsAtThirdVerify implements VerifierSession {
    private final VerifierSession inner;
    private int verifies;

    ThrowsAtThirdVerify(VerifierSession inner) {
      this.inner = inner;
    }

    @Override
    public int firstToken() {
      return inner.firstToken();
    }

    @Override
    public CompletionStage<Verdict> verify(DraftBlock draft) {
      if (++verifies == 3) {
        throw new IllegalArgumentException("draft out of step");
      }
      return inner.verify(draft);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
