package dev.tandem.speccore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The draft length a pair's streams share while busy: its schedule and its measurements. */
class SharedDraftLengthTest {

  // Arms 0, 1, 2; slices of 100 ns; an epoch is the three arms and three slices of the best.
  private final SharedDraftLength shared = new SharedDraftLength(new int[] {0, 1, 2}, 100, 3);

  /** Records one slice's step: {@code tokens} tokens in a 100 ns cycle. */
  private void step(long slice, int tokens) {
    shared.record(slice, shared.armFor(slice), tokens, 100);
  }

  @Test
  void eachEpochTriesEveryArmOnceAndThenTakesTheBestMeasured() {
    assertEquals(0, shared.armFor(3), "plain until an arm is measured");
    step(0, 1); // arm 0: 1 token per cycle
    step(1, 3); // arm 1: 3
    step(2, 2); // arm 2: 2
    step(3, 1); // a step two slices after slice 1 folds it
    assertEquals(1, shared.armFor(4));
    step(4, 3);
    step(5, 3);
    assertEquals(30_000_000, shared.tokensPerSecond(1), 1e-3); // 3 tokens per 100 ns
    assertEquals(20_000_000, shared.tokensPerSecond(2), 1e-3);
    // The next epoch measures arm 2 far better: after it, the exploit slices take it.
    assertEquals(0, shared.armFor(6));
    assertEquals(1, shared.armFor(7));
    assertEquals(2, shared.armFor(8));
    step(6, 1);
    step(7, 3);
    step(8, 12);
    step(9, 3); // arm 1 still: slice 8 folds with the next step
    step(10, 3);
    // arm 2's rate: 0.7 · 2 + 0.3 · 12 = 5 tokens per cycle > arm 1's 3.
    assertEquals(50_000_000, shared.tokensPerSecond(2), 1e-3);
    assertEquals(2, shared.armFor(11));
  }

  @Test
  void aStepThatEndsAfterItsSliceStillCountsForIt() {
    shared.record(0, 0, 1, 100);
    shared.record(1, 1, 1, 50);
    shared.record(0, 0, 1, 300); // chosen in slice 0, recorded after a slice-1 step
    shared.record(2, 2, 1, 100); // folds slice 0
    assertEquals(2.0 / 400 * 1e9, shared.tokensPerSecond(0), 1e-6);
  }

  @Test
  void stepsOfAnotherLengthThanTheSlicesAreIgnored() {
    shared.record(0, 2, 5, 100); // slice 0 is arm 0's
    shared.record(0, 0, 1, 100);
    shared.record(2, 2, 1, 100);
    assertEquals(1e7, shared.tokensPerSecond(0), 1e-6);
    assertTrue(Double.isNaN(shared.tokensPerSecond(1)));
  }

  @Test
  void armsMustStartAtPlainAndRiseWithinTheDraftLimit() {
    assertThrows(
        IllegalArgumentException.class, () -> new SharedDraftLength(new int[] {1, 2}, 1, 1));
    assertThrows(
        IllegalArgumentException.class, () -> new SharedDraftLength(new int[] {0, 2, 2}, 1, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SharedDraftLength(new int[] {0, DraftBlock.MAX_DRAFT + 1}, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new SharedDraftLength(new int[] {0}, 0, 1));
  }
}
