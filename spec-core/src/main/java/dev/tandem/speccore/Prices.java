package dev.tandem.speccore;

/**
 * What speculation costs in money (e.g. USD).
 *
 * @param perVerifierPosition price of one position scored by the verifier (drafts included,
 *     accepted or not), {@code >= 0}
 * @param perDraftToken price of one drafted token, {@code >= 0}
 */
public record Prices(double perVerifierPosition, double perDraftToken) {

  /** Nothing costs anything: the cost constraint never binds. */
  public static final Prices FREE = new Prices(0, 0);

  public Prices {
    LatencyModel.requireNonNegative("perVerifierPosition", perVerifierPosition);
    LatencyModel.requireNonNegative("perDraftToken", perDraftToken);
  }

  /** Cost of everything a request did so far. */
  public double spent(int verifierPositionsScored, int draftTokensProposed) {
    return perVerifierPosition * verifierPositionsScored + perDraftToken * draftTokensProposed;
  }
}
