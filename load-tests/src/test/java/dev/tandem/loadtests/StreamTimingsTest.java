package dev.tandem.loadtests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Given stamped events, expect TTFT, gaps, TPOT and end-to-end as defined (times in ns). */
class StreamTimingsTest {

  @Test
  void speculativeStepsDeliverSeveralTokensPerEvent() {
    StreamTimings t = new StreamTimings(1_000);
    t.tokens(51_000, 1); // first token after 50 µs
    t.tokens(61_000, 4); // a speculative step: 4 tokens in one event
    t.tokens(91_000, 3);
    t.end(101_000, -1);
    assertEquals(50_000, t.ttftNanos());
    assertArrayEquals(new long[] {10_000, 30_000}, t.interTokenNanos());
    assertEquals(8, t.tokens());
    assertEquals((101_000 - 51_000) / 7.0, t.tpotNanos(), 1e-9);
    assertEquals(100_000, t.endToEndNanos());
  }

  @Test
  void theServersUsageCountReplacesTheCountedTokens() {
    StreamTimings t = new StreamTimings(0);
    t.tokens(10, 1);
    t.tokens(20, 1);
    t.end(30, 5); // SSE events carry text: the usage event says how many tokens they held
    assertEquals(5, t.tokens());
    assertEquals((30 - 10) / 4.0, t.tpotNanos(), 1e-9);
  }

  @Test
  void aStreamWithoutTokensHasNoTtft() {
    StreamTimings t = new StreamTimings(0);
    t.end(30, 0);
    assertFalse(t.sawTokens());
    assertEquals(0, t.interTokenNanos().length);
  }

  @Test
  void onlyAStreamTheServerSaysProducedNothingIsAnEmptyAnswer() {
    StreamTimings eosFirst = new StreamTimings(0);
    eosFirst.end(30, 0);
    assertTrue(eosFirst.reportedEmpty());
    StreamTimings noUsage = new StreamTimings(0);
    noUsage.end(30, -1); // cut off before the server's summary
    assertFalse(noUsage.reportedEmpty());
    StreamTimings withTokens = new StreamTimings(0);
    withTokens.tokens(10, 2);
    withTokens.end(30, 2);
    assertFalse(withTokens.reportedEmpty());
  }
}
