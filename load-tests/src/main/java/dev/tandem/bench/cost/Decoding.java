package dev.tandem.bench.cost;

import dev.tandem.speccore.AcceptanceStats;
import dev.tandem.speccore.DraftLengthChooser;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.LoopResult;
import dev.tandem.speccore.Prices;
import dev.tandem.speccore.RequestAcceptance;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SinkSignal;
import dev.tandem.speccore.SpeculationLoop;
import dev.tandem.speccore.TokenSink;
import dev.tandem.speccore.Verifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Runs one greedy request through the real {@link SpeculationLoop} (the router's loop) with a
 * drafter, a verifier and a chooser, and returns what it produced and counted.
 */
final class Decoding {

  /** What one request produced and what it cost. */
  record Run(int[] tokens, LoopResult loop, double verifierCost, double draftCost) {}

  private Decoding() {}

  static Run run(
      Verifier verifier,
      DraftProposer drafter,
      AcceptanceStats pair,
      int[] prompt,
      int maxTokens,
      DraftLengthChooser chooser,
      Prices prices,
      double maxSpend) {
    List<Integer> out = new ArrayList<>();
    TokenSink sink =
        new TokenSink() {
          @Override
          public CompletionStage<SinkSignal> onTokens(int[] tokens) {
            for (int t : tokens) {
              out.add(t);
            }
            return CompletableFuture.completedFuture(SinkSignal.CONTINUE);
          }
        };
    var session =
        verifier
            .open(prompt, SamplingParams.GREEDY, prompt.length + maxTokens)
            .toCompletableFuture()
            .join();
    var draft = drafter.open(prompt, SamplingParams.GREEDY);
    draft.ready().toCompletableFuture().join();
    var builder =
        SpeculationLoop.builder()
            .draft(draft)
            .verifier(session)
            .chooser(chooser)
            .acceptance(new RequestAcceptance(pair, RequestAcceptance.DEFAULT_GLOBAL_WEIGHT))
            .maxTokens(maxTokens)
            .keepSteps(false)
            .eosTokens(0)
            .sink(sink);
    if (Double.isFinite(maxSpend)) {
      builder.spendLimit(prices, maxSpend - prices.verifier().openCost(prompt.length));
    }
    LoopResult r = builder.build().start().toCompletableFuture().join();
    double verifierCost =
        prices.verifier().openCost(prompt.length)
            + prices.verifier().perCall() * r.verifierCalls()
            + prices.verifier().perPosition() * r.verifierPositionsScored();
    return new Run(
        out.stream().mapToInt(Integer::intValue).toArray(),
        r,
        verifierCost,
        prices.perDraftToken() * r.draftTokensProposed());
  }
}
