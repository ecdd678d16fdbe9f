package dev.tandem.router.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link SpreadPacing} releases each stage no earlier than its due time, in due order whatever the
 * order they were asked for, with the time it released them. Only lower bounds are checked: how
 * late a parked thread wakes is the machine's.
 */
class SpreadPacingTest {

  @Test
  void eachStageIsReleasedAtOrAfterItsDueTimeInDueOrder() throws Exception {
    try (SpreadPacing pacing = new SpreadPacing()) {
      // The first due time lies well past the time it takes to ask for all twenty: a stage asked
      // for after its due time is released at once, in the order asked (the loop once took over
      // 6 ms on a loaded 2-vCPU box, and stages due at +2, +4 and +6 ms came out as asked).
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
      long[] dues = new long[20];
      List<CompletableFuture<Long>> stages = new ArrayList<>();
      List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < dues.length; i++) {
        // Asked for in reverse: the last one asked for is due first.
        dues[i] = start + TimeUnit.MILLISECONDS.toNanos(2L * (dues.length - i));
        int index = i;
        CompletableFuture<Long> stage = pacing.releaseAt(dues[i]).toCompletableFuture();
        stage.thenRun(() -> order.add(index));
        stages.add(stage);
      }
      for (int i = 0; i < dues.length; i++) {
        long released = stages.get(i).get(10, TimeUnit.SECONDS);
        assertTrue(released >= dues[i], "stage " + i + " released before it was due");
      }
      for (int i = 1; i < order.size(); i++) {
        assertTrue(
            dues[order.get(i)] >= dues[order.get(i - 1)], "released out of due order: " + order);
      }
      assertEquals(dues.length, order.size());
    }
  }

  @Test
  void aStageAlreadyDueIsReleasedAtOnce() {
    try (SpreadPacing pacing = new SpreadPacing()) {
      long before = System.nanoTime();
      CompletableFuture<Long> stage = pacing.releaseAt(before - 1).toCompletableFuture();
      assertTrue(stage.isDone());
      assertTrue(stage.join() >= before);
    }
  }
}
