package dev.tandem.verifier.openai;

import dev.tandem.verifier.client.CircuitBreakerOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where and how an {@link OpenAiCompatibleVerifier} reaches its server.
 *
 * @param baseUrl the server's root, {@code http(s)://host[:port][/prefix]}; requests go to {@code
 *     baseUrl + "/v1/completions"}
 * @param model the {@code model} field of every request; also the verifier's name
 * @param topN logprobs asked for per position, 1..{@link #MAX_TOP_N} (vLLM's default limit, {@code
 *     --max-logprobs}, is 20); with sampling the target distribution is truncated to these
 * @param timeout longest wait for one call's response, connection included
 * @param apiKey sent as {@code Authorization: Bearer <key>} when present
 * @param mode how the draft positions' logprobs are asked for
 * @param maxConnections HTTP/1.1 connections kept to the server, 1..{@link #MAX_CONNECTIONS}: the
 *     most calls in flight at once (one per session stepping); further calls queue
 * @param fallbackBaseUrls other servers of the same model, tried in order when a call to the one
 *     before fails because it is unreachable, silent past the timeout, full (429), misbehaving
 *     (5xx, a malformed answer) or without the model; the sequence is resent whole, so the retry
 *     gives the answer the first server would have (each call is stateless). At most {@link
 *     #MAX_FALLBACKS}.
 * @param breaker when a server (the base URL or a fallback) is skipped: after this many consecutive
 *     failures it gets no calls for the open time, then one probe call
 */
public record OpenAiVerifierOptions(
    String baseUrl,
    String model,
    int topN,
    Duration timeout,
    Optional<String> apiKey,
    LogprobsMode mode,
    int maxConnections,
    List<String> fallbackBaseUrls,
    CircuitBreakerOptions breaker) {

  /** Most fallback base URLs accepted. */
  public static final int MAX_FALLBACKS = 16;

  /** Largest top-N accepted. */
  public static final int MAX_TOP_N = 1024;

  /** Largest connection pool accepted. */
  public static final int MAX_CONNECTIONS = 4096;

  /** Path appended to the base URL. */
  static final String COMPLETIONS_PATH = "/v1/completions";

  public OpenAiVerifierOptions {
    baseUrl = requireBaseUrl(baseUrl);
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model must be a non-empty model id, got " + model);
    }
    if (topN < 1 || topN > MAX_TOP_N) {
      throw new IllegalArgumentException("top_n must be in 1.." + MAX_TOP_N + ", got " + topN);
    }
    if (timeout == null || timeout.toMillis() < 1) {
      throw new IllegalArgumentException("timeout must be >= 1 ms, got " + timeout);
    }
    if (apiKey == null) {
      throw new IllegalArgumentException("apiKey must not be null (Optional.empty() for none)");
    }
    if (mode == null) {
      throw new IllegalArgumentException("logprobs_mode must be prompt_logprobs or echo, got null");
    }
    if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS) {
      throw new IllegalArgumentException(
          "max_connections must be in 1.." + MAX_CONNECTIONS + ", got " + maxConnections);
    }
    if (fallbackBaseUrls == null || fallbackBaseUrls.size() > MAX_FALLBACKS) {
      throw new IllegalArgumentException(
          "fallback base URLs must be a list of 0.."
              + MAX_FALLBACKS
              + ", got "
              + (fallbackBaseUrls == null ? "null" : fallbackBaseUrls.size()));
    }
    fallbackBaseUrls =
        fallbackBaseUrls.stream().map(OpenAiVerifierOptions::requireBaseUrl).toList();
    if (breaker == null) {
      throw new IllegalArgumentException("breaker must not be null");
    }
  }

  /**
   * vLLM's defaults: {@code prompt_logprobs}, top 20; 30 s timeout, no API key, 64 connections, no
   * fallback.
   */
  public static OpenAiVerifierOptions of(String baseUrl, String model) {
    return new OpenAiVerifierOptions(
        baseUrl,
        model,
        20,
        Duration.ofSeconds(30),
        Optional.empty(),
        LogprobsMode.PROMPT_LOGPROBS,
        64,
        List.of(),
        CircuitBreakerOptions.DEFAULTS);
  }

  public OpenAiVerifierOptions withTopN(int value) {
    return new OpenAiVerifierOptions(
        baseUrl, model, value, timeout, apiKey, mode, maxConnections, fallbackBaseUrls, breaker);
  }

  public OpenAiVerifierOptions withTimeout(Duration value) {
    return new OpenAiVerifierOptions(
        baseUrl, model, topN, value, apiKey, mode, maxConnections, fallbackBaseUrls, breaker);
  }

  public OpenAiVerifierOptions withApiKey(String value) {
    return new OpenAiVerifierOptions(
        baseUrl,
        model,
        topN,
        timeout,
        Optional.of(value),
        mode,
        maxConnections,
        fallbackBaseUrls,
        breaker);
  }

  public OpenAiVerifierOptions withMode(LogprobsMode value) {
    return new OpenAiVerifierOptions(
        baseUrl, model, topN, timeout, apiKey, value, maxConnections, fallbackBaseUrls, breaker);
  }

  public OpenAiVerifierOptions withMaxConnections(int value) {
    return new OpenAiVerifierOptions(
        baseUrl, model, topN, timeout, apiKey, mode, value, fallbackBaseUrls, breaker);
  }

  public OpenAiVerifierOptions withFallbackBaseUrls(List<String> value) {
    return new OpenAiVerifierOptions(
        baseUrl, model, topN, timeout, apiKey, mode, maxConnections, value, breaker);
  }

  public OpenAiVerifierOptions withBreaker(CircuitBreakerOptions value) {
    return new OpenAiVerifierOptions(
        baseUrl, model, topN, timeout, apiKey, mode, maxConnections, fallbackBaseUrls, value);
  }

  /** The absolute URL every call is posted to first. */
  public String completionsUrl() {
    return baseUrl + COMPLETIONS_PATH;
  }

  /** Where calls are posted: the base URL's, then each fallback's, in that order. */
  public List<String> completionsUrls() {
    return baseUrls().stream().map(url -> url + COMPLETIONS_PATH).toList();
  }

  /** The servers in the order calls try them: the base URL, then each fallback. */
  public List<String> baseUrls() {
    List<String> urls = new ArrayList<>();
    urls.add(baseUrl);
    urls.addAll(fallbackBaseUrls);
    return List.copyOf(urls);
  }

  private static String requireBaseUrl(String baseUrl) {
    String allowed =
        "base_url must be http(s)://host[:port][/prefix] (the server's root; calls go to"
            + " <base_url>"
            + COMPLETIONS_PATH
            + "), got "
            + baseUrl;
    if (baseUrl == null) {
      throw new IllegalArgumentException(allowed);
    }
    String trimmed = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    URI uri;
    try {
      uri = new URI(trimmed);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(allowed, e);
    }
    boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
    if (!http || uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null) {
      throw new IllegalArgumentException(allowed);
    }
    if (trimmed.endsWith("/v1")) {
      // The OpenAI SDKs' base URLs end in /v1; this one is the root, so /v1 would be doubled.
      throw new IllegalArgumentException(allowed + " (drop the trailing /v1)");
    }
    return trimmed;
  }
}
