package dev.tandem.speccore;

/**
 * Measured step latencies in nanoseconds: drafting costs {@code draftPerToken} per draft token;
 * verifying k drafts costs {@code verifyFixed + verifyPerPosition * (k + 1)}.
 *
 * @param draftPerToken {@code >= 0}
 * @param verifyFixed {@code >= 0}, the per-call overhead (network round trip, kernel launches)
 * @param verifyPerPosition {@code >= 0}, the marginal cost of one more scored position
 */
public record LatencyModel(double draftPerToken, double verifyFixed, double verifyPerPosition) {

  public LatencyModel {
    requireNonNegative("draftPerToken", draftPerToken);
    requireNonNegative("verifyFixed", verifyFixed);
    requireNonNegative("verifyPerPosition", verifyPerPosition);
  }

  /** t_verify(k) = verifyFixed + verifyPerPosition * (k + 1). */
  public double verifyTime(int k) {
    return verifyFixed + verifyPerPosition * (k + 1);
  }

  static void requireNonNegative(String field, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(field + " must be finite and >= 0, got " + value);
    }
  }
}
