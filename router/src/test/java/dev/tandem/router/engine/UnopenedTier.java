package dev.tandem.router.engine;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.GenerationRequest.SpeculationOverride;
import dev.tandem.router.api.GenerationRequest.TextPrompt;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.Verifier;
import dev.tandem.speccore.VerifierSession;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * For tests that build a request's policy or log line without running it: a tier named "large"
 * whose verifier is never opened, and a text request for it.
 */
public final class UnopenedTier {

  private UnopenedTier() {}

  /** A tier whose verifier, named "local" or "remote", computes here or not and opens nothing. */
  public static Tier of(boolean local) {
    Verifier verifier =
        new Verifier() {
          @Override
          public String name() {
            return local ? "local" : "remote";
          }

          @Override
          public CompletionStage<VerifierSession> open(
              int[] promptTokens, SamplingParams params, int maxLength) {
            throw new UnsupportedOperationException("not opened here");
          }

          @Override
          public boolean isLocal() {
            return local;
          }
        };
    return new Tier("large", "m", verifier, null, 1 << 20, 0);
  }

  /** "hello", at most 64 tokens, for the tier above; {@code seeded}: the client gave a seed. */
  public static GenerationRequest request(
      SamplingParams sampling, SpeculationOverride speculation, boolean seeded) {
    return new GenerationRequest(
        "large",
        new TextPrompt("hello"),
        64,
        sampling,
        List.of(),
        GenerationRequest.Budget.NONE,
        speculation,
        GenerationRequest.CacheMode.BYPASS,
        Map.of(),
        false,
        GenerationRequest.TierPins.NONE,
        seeded);
  }
}
