package dev.tandem.draft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;
import org.junit.jupiter.api.Test;

class PromptLookupDrafterTest {

  private static DraftBlock propose(DraftSession session, int k) {
    return session.propose(k).toCompletableFuture().join();
  }

  @Test
  void proposesWhatFollowedTheMostRecentMatchOfTheLongestSuffix() {
    // context ... 1 2 3 [9 9] ... 5 2 3 [7 7] ... 2 3  -> longest suffix "2 3" last seen before 7 7
    int[] prompt = {1, 2, 3, 9, 9, 4, 5, 2, 3, 7, 7, 6, 2, 3};
    DraftSession session = new PromptLookupDrafter(1, 3).open(prompt, SamplingParams.GREEDY);
    DraftBlock block = propose(session, 3);
    assertArrayEquals(new int[] {7, 7, 6}, block.tokens());
    assertEquals(1f, block.probs()[0].prob(7));
  }

  @Test
  void committedTokensExtendTheContextAndRejectedOnesAreForgotten() {
    int[] prompt = {10, 11, 12, 13, 10, 11};
    DraftSession session = new PromptLookupDrafter(2, 2).open(prompt, SamplingParams.GREEDY);
    assertArrayEquals(new int[] {12, 13}, propose(session, 2).tokens());
    session.commit(1, 42); // context ... 10 11 12 42
    assertArrayEquals(new int[0], propose(session, 4).tokens(), "'12 42' never occurred before");
    session.commit(0, 10);
    session.commit(0, 11); // context ends "10 11" again: the latest match is at index 4
    assertArrayEquals(new int[] {12, 42, 10}, propose(session, 3).tokens());
  }

  @Test
  void noMatchAndZeroKProposeNothing() {
    DraftSession session =
        new PromptLookupDrafter(1, 4).open(new int[] {1, 2, 3}, SamplingParams.GREEDY);
    assertEquals(0, propose(session, 4).tokens().length);
    assertEquals(0, propose(session, 0).tokens().length);
  }

  @Test
  void badArgumentsNameTheLimits() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new PromptLookupDrafter(3, 2));
    assertEquals("ngram sizes must satisfy 1 <= min <= max <= 8, got min=3 max=2", e.getMessage());
    DraftSession session = new PromptLookupDrafter(1, 2).open(new int[] {1, 1}, null);
    propose(session, 1);
    assertThrows(IllegalArgumentException.class, () -> session.commit(2, 5));
  }
}
