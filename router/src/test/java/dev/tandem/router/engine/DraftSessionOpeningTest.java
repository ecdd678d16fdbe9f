package dev.tandem.router.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import dev.tandem.router.api.GenerationRequest.SpeculationOverride;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a request's draft session is opened: not at all with speculation off (a model drafter's
 * session would prefill for nothing), eagerly (ready with the verifier's prefill) for a fixed k and
 * for an adaptive k whose pair drafts, lazily (ready with its first proposal) once the pair's
 * requests decode plain. The text is the verifier's either way.
 */
class DraftSessionOpeningTest {

  private static final int MAX_TOKENS = 60;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void speculationOffOpensNoDraftSession() throws Exception {
    SyntheticBackend backend = backend(0.8);
    RecordingDrafter drafter = new RecordingDrafter(backend.drafter(), null);
    GenerationEngine engine = engine(backend, drafter);
    for (SpeculationOverride off :
        List.of(
            new SpeculationOverride(SpeculationMode.OFF, 0, "model"),
            new SpeculationOverride(SpeculationMode.OFF, 0, "auto"))) {
      StreamEnd.Finished done = generate(engine, off);
      assertEquals("none", done.result().drafter(), off.toString());
    }
    assertEquals(List.of(), drafter.opens);
  }

  @Test
  void aFixedKOpensEagerly() throws Exception {
    SyntheticBackend backend = backend(0.8);
    RecordingDrafter drafter = new RecordingDrafter(backend.drafter(), null);
    GenerationEngine engine = engine(backend, drafter);
    generate(engine, new SpeculationOverride(SpeculationMode.FIXED, 4, "model"));
    assertEquals(List.of("eager"), drafter.opens);
  }

  /**
   * Against a drafter that is always wrong and takes a millisecond a draft token, an adaptive pair
   * soon chooses k = 0: its first request (nothing chosen yet) opens eagerly, the ones after it
   * lazily.
   */
  @Test
  void anAdaptivePairThatDecodesPlainOpensLazily() throws Exception {
    SyntheticBackend backend = backend(0);
    RecordingDrafter drafter = new RecordingDrafter(backend.drafter(), vertx);
    GenerationEngine engine = engine(backend, drafter);
    for (int i = 0; i < 3; i++) {
      // k names the cap: the engine's default mode is fixed
      generate(engine, new SpeculationOverride(SpeculationMode.AUTO, 8, "model"));
    }
    assertEquals(List.of("eager", "lazy", "lazy"), drafter.opens);
  }

  private static SyntheticBackend backend(double alpha) {
    return new SyntheticBackend(0, alpha, at -> CompletableFuture.completedFuture(at));
  }

  private static GenerationEngine engine(SyntheticBackend backend, DraftProposer drafter) {
    return SyntheticEngines.engine(
        backend, backend.verifier(), "model", drafter, GenerationObserver.NONE);
  }

  /** Runs one greedy request; its text must be the verifier's. */
  private StreamEnd.Finished generate(GenerationEngine engine, SpeculationOverride speculation)
      throws Exception {
    GenerationRequest fixed = SyntheticEngines.greedyFixedK4(MAX_TOKENS);
    GenerationRequest request =
        new GenerationRequest(
            fixed.model(),
            fixed.prompt(),
            fixed.maxTokens(),
            SamplingParams.GREEDY,
            fixed.stop(),
            fixed.budget(),
            speculation,
            fixed.cache(),
            fixed.tags(),
            false,
            fixed.pins(),
            false);
    StringBuilder text = new StringBuilder();
    StreamEnd end =
        SyntheticEngines.run(vertx, engine, request, ChunkWriter.into(text))
            .get(30, TimeUnit.SECONDS);
    StreamEnd.Finished done = assertInstanceOf(StreamEnd.Finished.class, end);
    assertEquals(SyntheticRouter.expectedText(MAX_TOKENS), text + done.tailText());
    return done;
  }

  /**
   * Records how each session was opened: "eager" ({@link #open}) or "lazy" ({@link #openLazily});
   * with a Vert.x, each proposal takes 1 ms a draft token (on a timer: no thread blocks).
   */
  private static final class RecordingDrafter implements DraftProposer {
    private final DraftProposer inner;
    private final Vertx slowOn; // null: proposals as fast as inner's
    final List<String> opens = new CopyOnWriteArrayList<>();

    RecordingDrafter(DraftProposer inner, Vertx slowOn) {
      this.inner = inner;
      this.slowOn = slowOn;
    }

    @Override
    public String name() {
      return "model";
    }

    @Override
    public DraftSession open(int[] prompt, SamplingParams params) {
      opens.add("eager");
      return session(prompt, params);
    }

    @Override
    public DraftSession openLazily(int[] prompt, SamplingParams params) {
      opens.add("lazy");
      return session(prompt, params);
    }

    private DraftSession session(int[] prompt, SamplingParams params) {
      DraftSession session = inner.open(prompt, params);
      if (slowOn == null) {
        return session;
      }
      return new DraftSession() {
        @Override
        public CompletionStage<DraftBlock> propose(int k) {
          CompletableFuture<Void> waited = new CompletableFuture<>();
          slowOn.setTimer(Math.max(1, k), id -> waited.complete(null));
          return waited.thenCompose(x -> session.propose(k));
        }

        @Override
        public void commit(int keptDraftTokens, int nextToken) {
          session.commit(keptDraftTokens, nextToken);
        }

        @Override
        public void close() {
          session.close();
        }
      };
    }
  }
}
