package dev.tandem.router.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.router.api.GenerationRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Composed observers each hear every event, drafter failures included. */
class GenerationObserverTest {

  @Test
  void bothObserversHearADrafterFailure() {
    List<String> heard = new ArrayList<>();
    GenerationObserver composed = recorder("metrics", heard).andThen(recorder("log", heard));
    composed.drafterFailed(null, "ngram", new IllegalStateException("x"));
    assertEquals(List.of("metrics ngram", "log ngram"), heard);
  }

  private static GenerationObserver recorder(String name, List<String> heard) {
    return new GenerationObserver() {
      @Override
      public void started(GenerationRequest request, Tier tier) {}

      @Override
      public void ended(Ended ended) {}

      @Override
      public void drafterFailed(Tier tier, String drafter, Throwable cause) {
        heard.add(name + " " + drafter);
      }
    };
  }
}
