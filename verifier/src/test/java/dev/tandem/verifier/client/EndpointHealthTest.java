package dev.tandem.verifier.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * An endpoint's health from its checks: one missed check (a busy server answering late, a check cut
 * by a connection reset) leaves a live server in rotation; two in a row take it out; one pass
 * brings it back.
 */
class EndpointHealthTest {

  private final Endpoint endpoint =
      new Endpoint("127.0.0.1:9", CircuitBreakerOptions.DEFAULTS, System::nanoTime, s -> {});

  @Test
  void oneMissedCheckKeepsTheServerInRotation() {
    assertFalse(endpoint.checked(false), "no change after one failed check");
    assertTrue(endpoint.healthy);
    assertTrue(endpoint.admits());
  }

  @Test
  void twoFailedChecksInARowTakeItOutAndOnePassBringsItBack() {
    endpoint.checked(false);
    assertTrue(endpoint.checked(false), "the second failure in a row changes it");
    assertFalse(endpoint.healthy);
    assertFalse(endpoint.admits());
    assertFalse(endpoint.checked(false), "still unhealthy, no change");
    assertTrue(endpoint.checked(true), "one pass is enough");
    assertTrue(endpoint.admits());
  }

  @Test
  void aPassInBetweenStartsTheCountAgain() {
    endpoint.checked(false);
    endpoint.checked(true);
    endpoint.checked(false);
    assertTrue(endpoint.healthy, "failures in between passes are not in a row");
    endpoint.checked(false);
    assertFalse(endpoint.healthy);
  }
}
