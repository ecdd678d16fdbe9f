package dev.tandem.router.routing;

/**
 * How hard a prompt looks: {@code score} in [0, 1], higher needing a stronger tier.
 *
 * @param score the estimate
 * @param basis what it was computed from, for the request log (e.g. {@code draft_nll=3.1
 *     entropy=3.4 code=0.21})
 */
public record Complexity(double score, String basis) {

  public Complexity {
    if (!(score >= 0 && score <= 1)) {
      throw new IllegalArgumentException("complexity score must be in [0, 1], got " + score);
    }
  }
}
