package dev.tandem.verifier.openai;

import dev.tandem.speccore.VerifierException;
import dev.tandem.verifier.client.BreakerStatus;
import dev.tandem.verifier.client.EndpointBreaker;
import dev.tandem.verifier.client.VerifierUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * Scores one token sequence with a single {@code POST /v1/completions}: {@code prompt} as token
 * ids, {@code max_tokens: 1} at temperature 0, {@code logprobs: N} and {@code
 * return_tokens_as_token_ids: true} for the generated position, plus {@code prompt_logprobs: N} or
 * {@code echo: true} when draft positions are to be scored.
 *
 * <p>Servers: the base URL's, then each fallback's; a call moves on to the next server when one
 * fails in a way another may not. Each server has a circuit breaker ({@link
 * OpenAiVerifierOptions#breaker()}): one that keeps failing is skipped for the open time instead of
 * costing every call a timeout. Failures: a server that cannot be reached, goes away or stays
 * silent past the timeout fails the stage with {@link VerifierUnavailableException}; an HTTP error
 * status or a body without the logprobs asked for fails it with {@link BackendResponseException}.
 * Both name the endpoint.
 *
 * <p>Threading: {@link #score} may be called from any thread. The response is parsed on a Vert.x
 * worker thread (unordered), not the event loop, because its size grows with sequence length × N
 * (the server returns logprobs for every prompt position); the returned stage completes there, or
 * on the event loop when the call failed.
 */
final class CompletionsClient implements AutoCloseable {

  /** Longest piece of an error response body quoted in an exception message. */
  private static final int QUOTED_BODY_CHARS = 300;

  private final OpenAiVerifierOptions options;
  private final List<String> endpoints;
  private final Vertx vertx;
  private final WebClient web;
  private final List<CompletionResponseParser> parsers;
  private final List<EndpointBreaker> breakers;

  CompletionsClient(Vertx vertx, OpenAiVerifierOptions options) {
    this.options = options;
    this.endpoints = options.completionsUrls();
    this.vertx = vertx;
    this.web =
        WebClient.create(
            vertx,
            new WebClientOptions().setUserAgent("tandem-verifier"),
            new PoolOptions().setHttp1MaxSize(options.maxConnections()));
    this.parsers =
        endpoints.stream().map(e -> new CompletionResponseParser(e, options.topN())).toList();
    this.breakers =
        endpoints.stream()
            .map(e -> new EndpointBreaker(options.breaker(), System::nanoTime))
            .toList();
  }

  /**
   * Each server's circuit breaker, named by its base URL, in call order (base URL first). Any
   * thread: the breakers are synchronized, and a read turns an open circuit whose time is up
   * half-open, as the next call would.
   */
  List<BreakerStatus> breakerStatus() {
    List<String> names = options.baseUrls();
    List<BreakerStatus> status = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      EndpointBreaker breaker = breakers.get(i);
      status.add(new BreakerStatus(names.get(i), breaker.state(), breaker.consecutiveFailures()));
    }
    return status;
  }

  /**
   * Scores on the first server; when that call fails in a way another server may not (see {@link
   * VerifierException#replaceable()}), on the next one, and so on. The call is stateless, so the
   * answer does not depend on which server gave it. Fails with the last server's failure.
   *
   * @param sequence the whole sequence: context, then {@code draftCount} draft tokens
   * @param draftCount trailing tokens whose logprobs are wanted; 0 asks only for the generated one
   */
  CompletionStage<ScoredSequence> score(int[] sequence, int draftCount) {
    return scoreFrom(0, sequence, draftCount).toCompletionStage();
  }

  /**
   * Scores on the first server from {@code index} on whose circuit admits a call; a failure another
   * server may not have counts against its breaker and moves on, any answer (a refusal included)
   * counts for it.
   */
  private Future<ScoredSequence> scoreFrom(int index, int[] sequence, int draftCount) {
    int admitted = index;
    while (admitted < endpoints.size() && !breakers.get(admitted).tryAcquire()) {
      admitted++;
    }
    if (admitted == endpoints.size()) {
      return Future.failedFuture(
          new VerifierUnavailableException(
              "POST "
                  + endpoints.get(index)
                  + (index + 1 < endpoints.size() ? " and the servers after it" : "")
                  + ": circuit open after "
                  + options.breaker().failureThreshold()
                  + " consecutive failures; next probe within "
                  + options.breaker().openDuration().toMillis()
                  + " ms",
              null));
    }
    int server = admitted;
    EndpointBreaker breaker = breakers.get(server);
    return scoreOn(server, sequence, draftCount)
        .onSuccess(scored -> breaker.onSuccess())
        .recover(
            error -> {
              boolean replaceable = error instanceof VerifierException e && e.replaceable();
              if (replaceable) {
                breaker.onFailure();
              } else {
                breaker.onSuccess(); // it answered on purpose: alive
              }
              return server + 1 < endpoints.size() && replaceable
                  ? scoreFrom(server + 1, sequence, draftCount)
                  : Future.failedFuture(error);
            });
  }

  private Future<ScoredSequence> scoreOn(int index, int[] sequence, int draftCount) {
    String endpoint = endpoints.get(index);
    long timeoutMillis = options.timeout().toMillis();
    HttpRequest<Buffer> request =
        web.postAbs(endpoint).timeout(timeoutMillis).connectTimeout(timeoutMillis);
    options.apiKey().ifPresent(request::bearerTokenAuthentication);
    return request
        .sendJsonObject(requestBody(sequence, draftCount))
        .recover(cause -> Future.failedFuture(unavailable(endpoint, cause, timeoutMillis)))
        .compose(
            response ->
                vertx.executeBlocking(
                    () ->
                        parsers
                            .get(index)
                            .parse(json(endpoint, response), options.mode(), sequence, draftCount),
                    false));
  }

  /** The first server's completions URL (for messages). */
  String endpoint() {
    return endpoints.get(0);
  }

  @Override
  public void close() {
    web.close();
  }

  private JsonObject requestBody(int[] sequence, int draftCount) {
    JsonArray prompt = new JsonArray();
    for (int token : sequence) {
      prompt.add(token);
    }
    JsonObject body =
        new JsonObject()
            .put("model", options.model())
            .put("prompt", prompt)
            .put("max_tokens", 1)
            // Raw logprobs and an argmax token; the request's sampling is applied here, not there.
            .put("temperature", 0)
            .put("logprobs", options.topN())
            .put("return_tokens_as_token_ids", true);
    if (draftCount > 0) {
      switch (options.mode()) {
        case PROMPT_LOGPROBS -> body.put("prompt_logprobs", options.topN());
        case ECHO -> body.put("echo", true);
      }
    }
    return body;
  }

  private static JsonObject json(String endpoint, HttpResponse<Buffer> response) {
    String body = response.bodyAsString();
    if (response.statusCode() != 200) {
      throw new BackendResponseException(
          response.statusCode(),
          "POST "
              + endpoint
              + ": HTTP "
              + response.statusCode()
              + " "
              + response.statusMessage()
              + ": "
              + quote(body));
    }
    if (body == null || body.isEmpty()) {
      throw new BackendResponseException(200, "POST " + endpoint + ": the response has no body");
    }
    try {
      return new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw new BackendResponseException(
          200, "POST " + endpoint + ": the response is not a JSON object: " + quote(body), e);
    }
  }

  private static VerifierUnavailableException unavailable(
      String endpoint, Throwable cause, long timeoutMillis) {
    String what =
        cause instanceof TimeoutException
            ? "no response within " + timeoutMillis + " ms"
            : "no response: " + cause;
    return new VerifierUnavailableException("POST " + endpoint + ": " + what, cause);
  }

  private static String quote(String body) {
    if (body == null || body.isEmpty()) {
      return "(empty body)";
    }
    return body.length() <= QUOTED_BODY_CHARS
        ? body
        : body.substring(0, QUOTED_BODY_CHARS) + "... (" + body.length() + " chars)";
  }
}
