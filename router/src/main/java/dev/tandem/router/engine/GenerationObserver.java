package dev.tandem.router.engine;

import dev.tandem.router.api.GenerationRequest;

/**
 * What the engine reports about each generation, for metrics and the request log: one {@link
 * #started} and then exactly one {@link #ended}.
 *
 * <p>Threading: called on the request's Vert.x context; implementations must be thread-safe across
 * requests (different requests run on different event loops) and must not block.
 */
public interface GenerationObserver {

  /** Observes nothing. */
  GenerationObserver NONE =
      new GenerationObserver() {
        @Override
        public void started(GenerationRequest request, Tier tier) {}

        @Override
        public void ended(Ended ended) {}
      };

  void started(GenerationRequest request, Tier tier);

  /** Both observers, {@code this} first. */
  default GenerationObserver andThen(GenerationObserver next) {
    GenerationObserver first = this;
    return new GenerationObserver() {
      @Override
      public void started(GenerationRequest request, Tier tier) {
        first.started(request, tier);
        next.started(request, tier);
      }

      @Override
      public void ended(Ended ended) {
        first.ended(ended);
        next.ended(ended);
      }

      @Override
      public void drafterFailed(Tier tier, String drafter, Throwable cause) {
        first.drafterFailed(tier, drafter, cause);
        next.drafterFailed(tier, drafter, cause);
      }

      @Override
      public void paused(Tier tier) {
        first.paused(tier);
        next.paused(tier);
      }
    };
  }

  void ended(Ended ended);

  /**
   * A request's drafter failed or timed out and the request went on with plain decoding. Any
   * thread.
   */
  default void drafterFailed(Tier tier, String drafter, Throwable cause) {}

  /**
   * A generation stopped producing because its client's write queue was full (flow control); it
   * goes on when the client has read. On the request's context.
   */
  default void paused(Tier tier) {}

  /**
   * A generation that ended.
   *
   * @param requestId the router's id for the request (logs only; never a metric label)
   * @param request the validated request
   * @param tier the tier that served it
   * @param drafter the drafter's name
   * @param result usage and speculation figures when it finished normally, else null
   * @param error why it failed, else null
   * @param ttftNanos request start to first non-empty chunk, or -1 when none was written
   * @param durationNanos request start to end
   */
  record Ended(
      String requestId,
      GenerationRequest request,
      Tier tier,
      String drafter,
      GenerationResult result,
      Throwable error,
      long ttftNanos,
      long durationNanos) {}
}
