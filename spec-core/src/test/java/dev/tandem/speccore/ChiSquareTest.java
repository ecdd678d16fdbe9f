package dev.tandem.speccore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The test helper itself, against tabulated chi-square critical values. */
class ChiSquareTest {

  @Test
  void survivalMatchesTabulatedCriticalValues() {
    assertEquals(0.05, ChiSquare.survival(3.841459, 1), 1e-6);
    assertEquals(0.05, ChiSquare.survival(18.307038, 10), 1e-6);
    assertEquals(0.05, ChiSquare.survival(124.342113, 100), 1e-6);
    assertEquals(1e-4, ChiSquare.survival(15.136705, 1), 1e-8);
    assertEquals(1e-4, ChiSquare.survival(35.564, 10), 1e-6);
  }

  @Test
  void logGammaMatchesFactorials() {
    assertEquals(Math.log(24), ChiSquare.logGamma(5), 1e-12);
    assertEquals(0.5 * Math.log(Math.PI), ChiSquare.logGamma(0.5), 1e-12);
  }
}
