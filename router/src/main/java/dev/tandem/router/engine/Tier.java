package dev.tandem.router.engine;

import dev.tandem.speccore.StepPrior;
import dev.tandem.speccore.Verifier;
import dev.tandem.speccore.VerifierPricing;

/**
 * A verifier tier ready to serve: its model's verifier backend, tokenizer and price.
 *
 * @param name what requests put in {@code model}
 * @param model the model behind it
 * @param verifier the backend that scores drafts with the model
 * @param codec the model's tokenizer
 * @param contextLength most tokens (prompt + output) a sequence may hold
 * @param pricing what its verifier charges
 * @param stepPrior what a step is taken to cost before it is measured: where a learning request
 *     starts, what a seeded sampled request keeps for life ({@link DraftLengthChoosers})
 */
public record Tier(
    String name,
    String model,
    Verifier verifier,
    PromptCodec codec,
    int contextLength,
    VerifierPricing pricing,
    StepPrior stepPrior) {

  /** A tier with the generic latency prior for where its verifier computes. */
  public Tier(
      String name,
      String model,
      Verifier verifier,
      PromptCodec codec,
      int contextLength,
      VerifierPricing pricing) {
    this(
        name,
        model,
        verifier,
        codec,
        contextLength,
        pricing,
        verifier.isLocal() ? DraftLengthChoosers.PRIOR : DraftLengthChoosers.REMOTE_PRIOR);
  }

  /**
   * A tier with a flat price: every prompt token prefilled and every position scored costs {@code
   * pricePerTokenUsd}, calls are free.
   */
  public Tier(
      String name,
      String model,
      Verifier verifier,
      PromptCodec codec,
      int contextLength,
      double pricePerTokenUsd) {
    this(
        name,
        model,
        verifier,
        codec,
        contextLength,
        new VerifierPricing.SelfHosted(0, pricePerTokenUsd, pricePerTokenUsd));
  }

  /** This tier with another step prior. */
  public Tier withStepPrior(StepPrior prior) {
    return new Tier(name, model, verifier, codec, contextLength, pricing, prior);
  }
}
