package dev.tandem.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopSequenceFilterTest {

  private static String stream(StopSequenceFilter filter, String... deltas) {
    StringBuilder out = new StringBuilder();
    for (String delta : deltas) {
      StopSequenceFilter.Result result = filter.push(delta);
      out.append(result.text());
      if (result.stopped()) {
        return out.toString();
      }
    }
    return out.append(filter.finish()).toString();
  }

  @Test
  void stopSequenceSplitAcrossDeltasIsNeitherSentNorFollowed() {
    StopSequenceFilter filter = new StopSequenceFilter(List.of("\n\n"));
    assertEquals("hello", stream(filter, "hel", "lo\n", "\nworld"));
  }

  @Test
  void heldBackPrefixThatTurnsOutNotToBeAStopIsReleased() {
    StopSequenceFilter filter = new StopSequenceFilter(List.of("END"));
    StopSequenceFilter.Result first = filter.push("the EN");
    assertEquals("the ", first.text());
    StopSequenceFilter.Result second = filter.push("D? no: ENDING");
    assertTrue(second.stopped());
    assertEquals("", second.text(), "the earliest stop wins: 'EN'+'D' completes it");
  }

  @Test
  void earliestOfSeveralStopsWins() {
    StopSequenceFilter filter = new StopSequenceFilter(List.of("zz", "b"));
    assertEquals("a", stream(filter, "abzz"));
  }

  @Test
  void withoutStopsEverythingPassesThroughAtOnce() {
    StopSequenceFilter filter = new StopSequenceFilter(List.of());
    StopSequenceFilter.Result result = filter.push("abc");
    assertEquals("abc", result.text());
    assertFalse(result.stopped());
  }

  @Test
  void textEndingInAPartialStopIsFlushedAtTheEnd() {
    StopSequenceFilter filter = new StopSequenceFilter(List.of("###"));
    assertEquals("x ##", stream(filter, "x #", "#"));
  }

  @Test
  void badStopListsNameTheFieldAndTheLimit() {
    IllegalArgumentException tooMany =
        assertThrows(
            IllegalArgumentException.class,
            () -> new StopSequenceFilter(List.of("a", "b", "c", "d", "e")));
    assertTrue(tooMany.getMessage().contains("at most 4"), tooMany.getMessage());
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> new StopSequenceFilter(List.of("")));
    assertTrue(empty.getMessage().startsWith("stop[0]"), empty.getMessage());
  }
}
