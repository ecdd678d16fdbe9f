package dev.tandem.router.routing;

/**
 * Estimates how hard a prompt is, so that {@code model: auto} can serve easy prompts on a cheap
 * tier. Implementations must be cheap next to a verifier prefill.
 *
 * <p>Threading: called on any thread, concurrently; implementations are stateless or thread-safe.
 */
public interface ComplexityEstimator {

  Complexity estimate(PromptSignals signals);
}
