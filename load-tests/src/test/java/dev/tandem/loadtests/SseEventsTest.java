package dev.tandem.loadtests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Given SSE bytes split anywhere, expect each text event stamped once, at its arrival. */
class SseEventsTest {

  private static final String STREAM =
      "data: {\"choices\":[{\"text\":\"def\"}]}\n\n"
          + "data: {\"choices\":[{\"text\":\" fib\"}]}\n\n"
          + "data: {\"choices\":[{\"text\":\"\"}]}\n\n"
          + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":7}}\n\n"
          + "data: [DONE]\n\n";

  @Test
  void eventsSplitAcrossNetworkChunksAreStampedWhenTheyComplete() {
    SseEvents events = new SseEvents();
    StreamTimings t = new StreamTimings(0);
    int cut = STREAM.indexOf("fib"); // the second event arrives in two pieces
    events.append(STREAM.substring(0, cut), 100, t);
    events.append(STREAM.substring(cut), 250, t);
    t.end(300, events.completionTokens());
    assertArrayEquals(new long[] {150}, t.interTokenNanos());
    assertEquals(100, t.ttftNanos());
    assertEquals(7, t.tokens());
    assertNull(events.error());
  }

  @Test
  void chatDeltasCountAsTokenEvents() {
    SseEvents events = new SseEvents();
    StreamTimings t = new StreamTimings(0);
    events.append("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n", 5, t);
    events.append("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n", 9, t);
    assertEquals(9, t.ttftNanos());
  }

  @Test
  void anErrorEventOrAMissingDoneIsAFailure() {
    SseEvents events = new SseEvents();
    StreamTimings t = new StreamTimings(0);
    events.append("data: {\"error\":{\"message\":\"verifier unavailable\"}}\n\n", 1, t);
    assertEquals("stream error: verifier unavailable", events.error());
    SseEvents cut = new SseEvents();
    cut.append("data: {\"choices\":[{\"text\":\"x\"}]}\n\n", 1, t);
    assertTrue(cut.error().contains("[DONE]"), cut.error());
  }
}
