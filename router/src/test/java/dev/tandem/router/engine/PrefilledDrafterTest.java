package dev.tandem.router.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.draft.ModelDrafter;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.router.routing.PromptScorer;
import dev.tandem.router.routing.PromptScorer.Prefilled;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Routing's forward over the prompt becomes the model drafter's prefill: the first session on the
 * same tokens adopts it and drafts exactly what a freshly prefilled session drafts; any other open
 * prefills as usual.
 */
class PrefilledDrafterTest {

  static ModelRuntime runtime;
  static Model model;

  @BeforeAll
  static void load() throws Exception {
    runtime = new ModelRuntime(1);
    model =
        runtime.load(
            Path.of("../model/src/test/resources/models/tiny-gqa-f32"), ModelOptions.DEFAULT);
  }

  @AfterAll
  static void close() {
    model.close();
    runtime.close();
  }

  static int[] draft(DraftSession session, int k) throws Exception {
    return session.propose(k).toCompletableFuture().get().tokens();
  }

  @Test
  void theFirstSessionOnTheScoredPromptAdoptsItAndDraftsTheSame() throws Exception {
    int[] prompt = {1, 5, 9, 14, 3, 7};
    ModelDrafter drafter = new ModelDrafter(model);
    int[] fresh = draft(drafter.open(prompt, SamplingParams.GREEDY), 6);

    Prefilled prefilled = PromptScorer.scoreKeeping(model, prompt, 64).get();
    PrefilledDrafter routed = new PrefilledDrafter(drafter, prompt, prefilled);
    DraftSession first = routed.open(prompt, SamplingParams.GREEDY);
    assertTrue(routed.adopted(), "the scored prompt's forward is reused");
    assertArrayEquals(fresh, draft(first, 6));

    DraftSession second = routed.open(prompt, SamplingParams.GREEDY);
    assertArrayEquals(fresh, draft(second, 6), "a second session prefills its own cache");
  }

  @Test
  void anotherPromptPrefillsAsUsual() throws Exception {
    int[] scored = {1, 5, 9, 14, 3, 7};
    int[] other = {1, 5, 9, 14, 3, 8};
    ModelDrafter drafter = new ModelDrafter(model);
    PrefilledDrafter routed =
        new PrefilledDrafter(drafter, scored, PromptScorer.scoreKeeping(model, scored, 64).get());
    int[] tokens = draft(routed.open(other, SamplingParams.GREEDY), 5);
    assertFalse(routed.adopted());
    assertArrayEquals(draft(drafter.open(other, SamplingParams.GREEDY), 5), tokens);
  }

  /** What a draft token costs the proposals queued behind it is the model drafter's figure. */
  @Test
  void theRoutedDrafterReportsItsModelDraftersCostToOthers() throws Exception {
    int[] prompt = {1, 5, 9, 14, 3, 7};
    ModelDrafter drafter = new ModelDrafter(model);
    PrefilledDrafter routed =
        new PrefilledDrafter(drafter, prompt, PromptScorer.scoreKeeping(model, prompt, 64).get());
    DraftSession first = routed.open(prompt, SamplingParams.GREEDY);
    DraftSession second = drafter.open(prompt, SamplingParams.GREEDY);
    second.ready().toCompletableFuture().get();
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> blocker =
        runtime.submit(
            () -> {
              release.await();
              return null;
            });
    var a = first.propose(3).toCompletableFuture(); // drafts while b waits behind it
    var b = second.propose(3).toCompletableFuture();
    release.countDown();
    blocker.get();
    a.get();
    b.get();
    assertTrue(drafter.draftTokenCostToOthersNanos() > 0, "one proposal waited for another");
    assertEquals(drafter.draftTokenCostToOthersNanos(), routed.draftTokenCostToOthersNanos());
  }
}
