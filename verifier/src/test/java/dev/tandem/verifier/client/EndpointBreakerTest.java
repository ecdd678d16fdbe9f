package dev.tandem.verifier.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The circuit breaker on a clock the test moves: open after N failures, one probe, then close. */
class EndpointBreakerTest {

  private long now = 1_000_000_000L;
  private final EndpointBreaker breaker =
      new EndpointBreaker(new CircuitBreakerOptions(3, Duration.ofSeconds(10)), () -> now);

  @Test
  void consecutiveFailuresOpenItAndASuccessInBetweenResetsTheCount() {
    breaker.onFailure();
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    breaker.onFailure();
    assertEquals(BreakerState.CLOSED, breaker.state());
    assertTrue(breaker.tryAcquire());
    breaker.onFailure();
    assertEquals(BreakerState.OPEN, breaker.state());
    assertFalse(breaker.tryAcquire());
  }

  @Test
  void afterTheOpenTimeOneProbeDecides() {
    for (int i = 0; i < 3; i++) {
      breaker.onFailure();
    }
    now += Duration.ofSeconds(10).toNanos() - 1;
    assertEquals(BreakerState.OPEN, breaker.state());
    now += 1;
    assertEquals(BreakerState.HALF_OPEN, breaker.state());
    assertTrue(breaker.tryAcquire(), "the probe");
    assertFalse(breaker.tryAcquire(), "one probe at a time");

    breaker.onFailure(); // the probe failed: open for another period
    assertEquals(BreakerState.OPEN, breaker.state());
    now += Duration.ofSeconds(10).toNanos();
    assertTrue(breaker.tryAcquire(), "the next probe");
    breaker.onSuccess();
    assertEquals(BreakerState.CLOSED, breaker.state());
    assertTrue(breaker.tryAcquire());
    assertTrue(breaker.tryAcquire());
  }

  @Test
  void everyChangeOfStateIsReportedAsItHappens() {
    List<BreakerState> changes = new ArrayList<>();
    EndpointBreaker watched =
        new EndpointBreaker(
            new CircuitBreakerOptions(2, Duration.ofSeconds(10)), () -> now, changes::add);
    watched.onFailure();
    assertEquals(List.of(), changes, "one failure changes nothing");
    watched.onFailure();
    assertEquals(List.of(BreakerState.OPEN), changes);
    now += Duration.ofSeconds(10).toNanos();
    assertTrue(watched.tryAcquire());
    watched.onSuccess();
    watched.onSuccess();
    assertEquals(List.of(BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED), changes);
  }

  @Test
  void optionsNameTheFieldAndRange() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new CircuitBreakerOptions(0, Duration.ofSeconds(1)));
    assertEquals("failureThreshold must be in 1..1000, got 0", e.getMessage());
  }
}
