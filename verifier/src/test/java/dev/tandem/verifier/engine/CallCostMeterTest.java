package dev.tandem.verifier.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CallCostMeterTest {

  private static final double SECOND = 1e9;

  @Test
  void aSaturatedCoreChargesEachCallItsCpuOutsideTheModelInRows() {
    // 1 core busy all window: 0.6 s in the model for 2,000 rows (0.3 ms a row), 0.4 s of call
    // work for 1,000 calls (0.4 ms a call): a call costs 4/3 rows.
    assertEquals(
        4.0 / 3, CallCostMeter.estimate(1.0 * SECOND, 0.6 * SECOND, 1000, 2000, SECOND, 1), 1e-9);
  }

  @Test
  void callWorkOnIdleCoresCostsTheModelNothing() {
    // 8 cores, the process uses one: the call work runs on cores the model does not need.
    assertEquals(0, CallCostMeter.estimate(1.0 * SECOND, 0.6 * SECOND, 1000, 2000, SECOND, 8));
  }

  @Test
  void onlyTheCallWorkNoIdleCoreCouldTakeCounts() {
    // 2 cores, 1.8 used: 0.2 idle against 0.8 cores of call work, so 3/4 of it competes.
    double full = (0.8 / 1000) / (1.0 / 2000);
    assertEquals(
        0.75 * full,
        CallCostMeter.estimate(1.8 * SECOND, 1.0 * SECOND, 1000, 2000, SECOND, 2),
        1e-9);
  }

  @Test
  void aWindowWithoutModelWorkSaysNothing() {
    assertEquals(-1, CallCostMeter.estimate(SECOND, 0, 1000, 2000, SECOND, 1));
    assertEquals(-1, CallCostMeter.estimate(SECOND, SECOND, 1000, 0, SECOND, 1));
    assertEquals(0, CallCostMeter.estimate(SECOND, SECOND, 1000, 2000, SECOND, 1), "no call work");
  }

  @Test
  void windowsNeedTheirLengthAndCallsAndAreSmoothed() {
    long[] now = {0};
    long[] cpu = {0};
    CallCostMeter meter = new CallCostMeter(() -> now[0], () -> cpu[0], 1);
    // first window: 1 s, process CPU 1 s, model 0.5 s over 100 calls of 2 rows: 0.5 / 100 call
    // work per call, 0.5 / 200 model per row: 2 rows a call
    now[0] = (long) (0.2 * SECOND);
    meter.batchDone((long) (0.1 * SECOND), 20, 40);
    assertEquals(0, meter.callCostRows(), "window not over yet");
    now[0] = (long) SECOND;
    cpu[0] = (long) SECOND;
    meter.batchDone((long) (0.4 * SECOND), 80, 160);
    assertEquals(2, meter.callCostRows(), 1e-9);
    // a window with too few calls is not closed
    now[0] = (long) (2 * SECOND);
    meter.batchDone((long) (0.1 * SECOND), 10, 20);
    assertEquals(2, meter.callCostRows(), 1e-9);
    // second window (closed with enough calls): no call work at all; moves 30 % toward 0
    cpu[0] = (long) (2 * SECOND); // all of the window's CPU in the model
    meter.batchDone((long) (0.9 * SECOND), 90, 180);
    assertEquals(2 * (1 - CallCostMeter.WEIGHT), meter.callCostRows(), 1e-9);
  }

  @Test
  void needsACore() {
    assertThrows(IllegalArgumentException.class, () -> new CallCostMeter(() -> 0, () -> 0, 0));
  }
}
