package dev.tandem.verifier.openai;

import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.Verifier;
import dev.tandem.speccore.VerifierSession;
import dev.tandem.verifier.client.BreakerStatus;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * {@link Verifier} over an existing OpenAI-compatible inference server (vLLM and servers with the
 * same extensions): each step is one {@code POST /v1/completions} that scores the whole sequence
 * plus the draft and returns top-N logprobs per position; acceptance runs here.
 *
 * <p><b>Exact for greedy decoding, approximate for temperature &gt; 0.</b> Greedy needs only each
 * position's argmax, which the top-N always contains, so its output is token for token the server
 * model's greedy output. With sampling the server returns only the top N logprobs, so the target
 * distribution is truncated to those N tokens and renormalised before rejection sampling: tokens
 * outside the top N are never produced and the output distribution is close to, not equal to, the
 * model's. {@link #exactForSampling()} is false and {@link #name()} carries the suffix {@code
 * @openai-approx-topN} so that metrics labels and acceptance statistics show it.
 *
 * <p>Sessions live on this side only (the token ids so far); {@link #open} makes one call for the
 * first token. The server is always asked for temperature 0 and the request's sampling is applied
 * here, with the session's generator seeded from {@link SamplingParams#seed()}.
 *
 * <p>Cost: vLLM does not read its prefix cache for requests that ask for prompt logprobs (both
 * {@link LogprobsMode}s do when there are drafts), so each scoring step re-runs prefill over the
 * whole sequence and returns logprobs for every position. Fine for short contexts; a Tandem
 * verifier server keeps a KV cache per session instead.
 *
 * <p>Threading: {@link #open} and the sessions' methods may be called from any thread; nothing
 * blocks; the stages complete on Vert.x threads (responses are parsed on a worker thread, not on
 * the event loop).
 */
public final class OpenAiCompatibleVerifier implements Verifier, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(OpenAiCompatibleVerifier.class.getName());

  private final OpenAiVerifierOptions options;
  private final CompletionsClient client;

  public OpenAiCompatibleVerifier(Vertx vertx, OpenAiVerifierOptions options) {
    this.options = options;
    this.client = new CompletionsClient(vertx, options);
    LOG.info(
        () ->
            "verifier="
                + name()
                + " POST "
                + options.completionsUrl()
                + " logprobs_mode="
                + options.mode().configName()
                + " top_n="
                + options.topN()
                + " timeout="
                + options.timeout().toMillis()
                + "ms max_connections="
                + options.maxConnections()
                + " (greedy exact; sampling approximate: target truncated to the top "
                + options.topN()
                + ")");
  }

  /** {@code <model>@openai-approx-top<N>}: the model and how far from exact sampling it is. */
  @Override
  public String name() {
    return options.model() + "@openai-approx-top" + options.topN();
  }

  /**
   * False: with temperature &gt; 0 the target distribution is truncated to the top N. Greedy
   * decoding is exact.
   */
  public boolean exactForSampling() {
    return false;
  }

  public OpenAiVerifierOptions options() {
    return options;
  }

  @Override
  public CompletionStage<VerifierSession> open(
      int[] promptTokens, SamplingParams params, int maxLength) {
    try {
      requireOpen(promptTokens, params, maxLength);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    int[] prompt = promptTokens.clone();
    RandomGenerator rng = new SplittableRandom(params.seed());
    return client
        .score(prompt, 0)
        .thenApply(
            scored -> {
              int first =
                  params.isGreedy()
                      ? scored.generatedToken()
                      : TruncatedAcceptance.sample(scored.generatedRow(), params, rng);
              // A last draft may reach past max length, as in the engine's sessions.
              int capacity =
                  (int) Math.min(Integer.MAX_VALUE, (long) maxLength + DraftBlock.MAX_DRAFT);
              return new OpenAiSession(client, params, rng, prompt, first, capacity);
            });
  }

  /** Stops the HTTP client; open sessions' later calls fail. */
  @Override
  public void close() {
    client.close();
  }

  private static void requireOpen(int[] prompt, SamplingParams params, int maxLength) {
    if (prompt == null || prompt.length == 0) {
      throw new IllegalArgumentException("prompt_tokens must hold at least one token, got none");
    }
    if (params == null) {
      throw new IllegalArgumentException("sampling params must not be null");
    }
    for (int i = 0; i < prompt.length; i++) {
      if (prompt[i] < 0) {
        throw new IllegalArgumentException(
            "prompt_tokens[" + i + "] must be >= 0, got " + prompt[i]);
      }
    }
    if (maxLength <= prompt.length) {
      throw new IllegalArgumentException(
          "max_length must be > the prompt length "
              + prompt.length
              + " (room for one token), got "
              + maxLength);
    }
  }

  /**
   * Each server's circuit breaker, named by its base URL, base URL first: for metrics, readiness
   * and tests. Any thread.
   */
  public List<BreakerStatus> breakerStatus() {
    return client.breakerStatus();
  }
}
