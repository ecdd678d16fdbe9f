package dev.tandem.router.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.synthetic.SyntheticBackend;
import dev.tandem.router.synthetic.SyntheticRouter;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A drafter that throws, fails a stage or never answers degrades its request to plain decoding: the
 * text is the verifier's, the request is not failed, the observer hears of it once, and the
 * drafter's session is still closed (after its late call, never during it).
 */
class DrafterFailureTest {

  private static final int MAX_TOKENS = 60;

  private final Vertx vertx = Vertx.vertx();
  private final SyntheticBackend backend =
      new SyntheticBackend(0, 0.8, at -> CompletableFuture.completedFuture(at));

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private enum Fault {
    THROW_ON_OPEN,
    FAIL_PREFILL,
    THROW_ON_THIRD_PROPOSE,
    FAIL_THIRD_PROPOSE,
    STALL_THIRD_PROPOSE
  }

  @Test
  void everyKindOfDrafterFailureEndsInThePlainDecodedText() throws Exception {
    for (Fault fault : Fault.values()) {
      FaultyDrafter drafter = new FaultyDrafter(backend.drafter(), fault);
      List<Throwable> reported = new CopyOnWriteArrayList<>();
      GenerationEngine engine =
          SyntheticEngines.engine(
              backend,
              backend.verifier(),
              "faulty",
              drafter,
              new GenerationObserver() {
                @Override
                public void started(GenerationRequest request, Tier tier) {}

                @Override
                public void ended(Ended ended) {}

                @Override
                public void drafterFailed(Tier tier, String name, Throwable cause) {
                  reported.add(cause);
                }
              });
      StringBuilder text = new StringBuilder();
      CompletableFuture<StreamEnd> end =
          SyntheticEngines.run(
              vertx, engine, SyntheticEngines.greedyFixedK4(MAX_TOKENS), ChunkWriter.into(text));
      StreamEnd.Finished done =
          assertInstanceOf(StreamEnd.Finished.class, end.get(30, TimeUnit.SECONDS), fault.name());
      assertEquals(SyntheticRouter.expectedText(MAX_TOKENS), text + done.tailText(), fault.name());
      assertEquals(1, reported.size(), fault + ": " + reported);
      drafter.awaitClosed(fault);
    }
  }

  /** Wraps a working drafter and breaks it one way. */
  private static final class FaultyDrafter implements DraftProposer {
    private final DraftProposer inner;
    private final Fault fault;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final CompletableFuture<DraftBlock> stalled = new CompletableFuture<>();
    private final AtomicInteger closesDuringCall = new AtomicInteger();

    FaultyDrafter(DraftProposer inner, Fault fault) {
      this.inner = inner;
      this.fault = fault;
    }

    @Override
    public String name() {
      return "faulty";
    }

    @Override
    public DraftSession open(int[] prompt, SamplingParams params) {
      if (fault == Fault.THROW_ON_OPEN) {
        closed.complete(null); // nothing was opened, nothing to close
        throw new IllegalStateException("drafter out of memory");
      }
      DraftSession session = inner.open(prompt, params);
      AtomicInteger proposals = new AtomicInteger();
      return new DraftSession() {
        @Override
        public CompletionStage<Void> ready() {
          return fault == Fault.FAIL_PREFILL
              ? CompletableFuture.failedFuture(new IllegalStateException("prefill failed"))
              : session.ready();
        }

        @Override
        public CompletionStage<DraftBlock> propose(int k) {
          if (proposals.incrementAndGet() == 3) {
            switch (fault) {
              case THROW_ON_THIRD_PROPOSE -> throw new IllegalStateException("kernel crashed");
              case FAIL_THIRD_PROPOSE -> {
                return CompletableFuture.failedFuture(new IllegalStateException("bad draft"));
              }
              case STALL_THIRD_PROPOSE -> {
                return stalled;
              }
              default -> {}
            }
          }
          return session.propose(k);
        }

        @Override
        public void commit(int kept, int next) {
          session.commit(kept, next);
        }

        @Override
        public void close() {
          if (fault == Fault.STALL_THIRD_PROPOSE && !stalled.isDone()) {
            closesDuringCall.incrementAndGet();
          }
          session.close();
          closed.complete(null);
        }
      };
    }

    /** The session is closed; a stalled call is let go first, and close came after it. */
    void awaitClosed(Fault f) throws Exception {
      if (f == Fault.STALL_THIRD_PROPOSE) {
        stalled.complete(DraftBlock.empty()); // the late answer arrives after the request ended
      }
      closed.get(30, TimeUnit.SECONDS);
      assertEquals(0, closesDuringCall.get(), f + ": closed while a call was in flight");
    }
  }
}
