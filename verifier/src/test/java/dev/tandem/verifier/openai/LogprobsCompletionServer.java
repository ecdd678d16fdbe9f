package dev.tandem.verifier.openai;

import dev.tandem.model.Logits;
import dev.tandem.model.Model;
import dev.tandem.model.Sequence;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * A real HTTP server that answers {@code POST /v1/completions} the way vLLM does, computed with
 * Tandem's model runtime: token-id prompts, {@code max_tokens: 1} (greedy), {@code logprobs: N},
 * {@code prompt_logprobs: N}, {@code echo}, {@code return_tokens_as_token_ids}, and a bearer API
 * key when configured. Each request runs one forward over its whole prompt on a fresh sequence (no
 * prefix cache), on the model's executor.
 *
 * <p>Faults can be switched on after a number of good calls, to see how a client copes with a
 * server that breaks mid-session.
 *
 * <p>Threading: requests are handled on the server's event loop; forwards run on the model runtime;
 * {@link #failAfter} and the accessors may be called from any thread.
 */
public final class LogprobsCompletionServer implements AutoCloseable {

  /** How a call goes wrong. */
  enum Fault {
    NONE,
    /** HTTP 500 with an OpenAI-style error body. */
    HTTP_500,
    /** HTTP 200 with a truncated JSON body. */
    MALFORMED_JSON,
    /** HTTP 200 with {@code choices[0].logprobs: null}. */
    NO_LOGPROBS,
    /** HTTP 200 without {@code choices[0].prompt_logprobs}. */
    NO_PROMPT_LOGPROBS,
    /** Tokens rendered as text, as if {@code return_tokens_as_token_ids} were not supported. */
    TOKENS_AS_TEXT,
    /** Never answers. */
    SILENT,
    /** Closes the connection without answering. */
    CLOSE_CONNECTION
  }

  private final Vertx vertx;
  private final Model model;
  private final String apiKey; // null: no authentication
  private final HttpServer server;
  private final AtomicInteger calls = new AtomicInteger();
  private final List<JsonObject> requests = new CopyOnWriteArrayList<>();
  private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
  private volatile Fault fault = Fault.NONE;
  private volatile int goodCallsBeforeFault;

  private LogprobsCompletionServer(Vertx vertx, Model model, String apiKey) {
    this.vertx = vertx;
    this.model = model;
    this.apiKey = apiKey;
    this.server =
        vertx
            .createHttpServer()
            .connectionHandler(
                connection -> {
                  connections.add(connection);
                  connection.closeHandler(v -> connections.remove(connection));
                })
            .requestHandler(this::handle);
  }

  /** Starts on a free loopback port. */
  public static LogprobsCompletionServer start(Vertx vertx, Model model, String apiKey) {
    LogprobsCompletionServer s = new LogprobsCompletionServer(vertx, model, apiKey);
    s.server.listen(0, "127.0.0.1").await();
    return s;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** From now on, answers {@code goodCalls} more calls normally, then every call with the fault. */
  void failAfter(int goodCalls, Fault next) {
    goodCallsBeforeFault = calls.get() + goodCalls;
    fault = next;
  }

  /** Calls received so far. */
  int calls() {
    return calls.get();
  }

  /** Request bodies received, in order. */
  List<JsonObject> requests() {
    return requests;
  }

  /** Stops listening and drops every open connection, kept-alive ones included: a server gone. */
  @Override
  public void close() {
    server.close().await();
    connections.forEach(HttpConnection::close);
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> answer(request, body));
  }

  private void answer(HttpServerRequest request, Buffer body) {
    int call = calls.incrementAndGet();
    Fault now = call > goodCallsBeforeFault ? fault : Fault.NONE;
    if (!"/v1/completions".equals(request.path())) {
      error(request, 404, "no route " + request.path());
    } else if (apiKey != null && !("Bearer " + apiKey).equals(request.getHeader("Authorization"))) {
      error(request, 401, "invalid API key");
    } else if (!preempt(request, now)) {
      JsonObject json;
      try {
        json = body.toJsonObject();
        requests.add(json);
        CompletionRequest parsed = CompletionRequest.of(json, model.config().vocabSize());
        Context context = vertx.getOrCreateContext();
        Future.fromCompletionStage(model.runtime().submit(() -> complete(parsed, now)), context)
            .onSuccess(response -> request.response().end(response.encode()))
            .onFailure(e -> error(request, 500, e.toString()));
      } catch (RuntimeException e) {
        error(request, 400, e.getMessage());
      }
    }
  }

  /** Faults decided before any work; true when the request was dealt with. */
  private boolean preempt(HttpServerRequest request, Fault now) {
    switch (now) {
      case HTTP_500 -> error(request, 500, "CUDA error: an illegal memory access was encountered");
      case MALFORMED_JSON -> request.response().end("{\"id\":\"cmpl-1\",\"choices\":[{\"tex");
      case SILENT -> {}
      case CLOSE_CONNECTION -> request.connection().close();
      default -> {
        return false;
      }
    }
    return true;
  }

  private static void error(HttpServerRequest request, int status, String message) {
    JsonObject error =
        new JsonObject()
            .put("object", "error")
            .put("message", message)
            .put("type", status == 500 ? "InternalServerError" : "BadRequestError")
            .put("code", status);
    request.response().setStatusCode(status).end(error.encode());
  }

  /** The fields of a completions request this server honours. */
  private record CompletionRequest(
      String model,
      int[] prompt,
      Integer logprobs,
      Integer promptLogprobs,
      boolean echo,
      boolean tokenIds) {

    static CompletionRequest of(JsonObject json, int vocab) {
      JsonArray promptJson = json.getJsonArray("prompt");
      if (promptJson == null || promptJson.isEmpty()) {
        throw new IllegalArgumentException("prompt must be a non-empty list of token ids");
      }
      int[] prompt = new int[promptJson.size()];
      for (int i = 0; i < prompt.length; i++) {
        prompt[i] = promptJson.getInteger(i);
        if (prompt[i] < 0 || prompt[i] >= vocab) {
          throw new IllegalArgumentException("Token id " + prompt[i] + " is out of vocabulary");
        }
      }
      if (json.getInteger("max_tokens", 16) != 1) {
        throw new IllegalArgumentException("this server generates max_tokens: 1 only");
      }
      return new CompletionRequest(
          json.getString("model"),
          prompt,
          json.getInteger("logprobs"),
          json.getInteger("prompt_logprobs"),
          json.getBoolean("echo", false),
          json.getBoolean("return_tokens_as_token_ids", false));
    }
  }

  // Model thread: one forward over the prompt, then the response in vLLM's shape.
  private JsonObject complete(CompletionRequest request, Fault now) {
    int[] prompt = request.prompt();
    Sequence sequence = model.newSequence(prompt.length);
    Logits logits = model.forward(sequence, prompt); // [L, vocab]; row j predicts token j + 1
    int generated = logits.argmax(prompt.length - 1);
    boolean tokenIds = request.tokenIds() && now != Fault.TOKENS_AS_TEXT;
    JsonObject choice =
        new JsonObject()
            .put("index", 0)
            .put("text", tokenText(generated, tokenIds))
            .put("finish_reason", "length")
            .put("stop_reason", null);
    if (request.logprobs() != null && now != Fault.NO_LOGPROBS) {
      choice.put("logprobs", completionLogprobs(request, logits, generated, tokenIds));
    } else {
      choice.put("logprobs", null);
    }
    if (request.promptLogprobs() != null && now != Fault.NO_PROMPT_LOGPROBS) {
      JsonArray promptLogprobs = new JsonArray().addNull();
      for (int j = 1; j < prompt.length; j++) {
        Position position = new Position(logits.row(j - 1));
        promptLogprobs.add(position.promptLogprobsEntry(request.promptLogprobs(), prompt[j]));
      }
      choice.put("prompt_logprobs", promptLogprobs);
    }
    return new JsonObject()
        .put("id", "cmpl-" + calls.get())
        .put("object", "text_completion")
        .put("model", request.model())
        .put("choices", new JsonArray().add(choice))
        .put(
            "usage",
            new JsonObject()
                .put("prompt_tokens", prompt.length)
                .put("completion_tokens", 1)
                .put("total_tokens", prompt.length + 1));
  }

  /** The legacy {@code logprobs} object: the generated token, after the prompt when echoed. */
  private static JsonObject completionLogprobs(
      CompletionRequest request, Logits logits, int generated, boolean tokenIds) {
    int n = request.logprobs();
    JsonArray tokens = new JsonArray();
    JsonArray tokenLogprobs = new JsonArray();
    JsonArray top = new JsonArray();
    int[] prompt = request.prompt();
    if (request.echo()) {
      tokens.add(tokenText(prompt[0], tokenIds));
      tokenLogprobs.addNull();
      top.addNull();
      for (int j = 1; j < prompt.length; j++) {
        Position position = new Position(logits.row(j - 1));
        tokens.add(tokenText(prompt[j], tokenIds));
        tokenLogprobs.add(position.logprob(prompt[j]));
        top.add(position.topLogprobsEntry(n, prompt[j], tokenIds));
      }
    }
    Position last = new Position(logits.row(prompt.length - 1));
    tokens.add(tokenText(generated, tokenIds));
    tokenLogprobs.add(last.logprob(generated));
    top.add(last.topLogprobsEntry(n, generated, tokenIds));
    return new JsonObject()
        .put("tokens", tokens)
        .put("token_logprobs", tokenLogprobs)
        .put("top_logprobs", top)
        .put("text_offset", new JsonArray(IntStream.range(0, tokens.size()).boxed().toList()));
  }

  private static String tokenText(int token, boolean tokenIds) {
    return tokenIds ? "token_id:" + token : "<" + token + ">";
  }

  /**
   * One position's distribution: log-softmax of its logits, and every token's rank (1 = argmax;
   * equal logits ranked by lower id, as argmax breaks ties).
   */
  private static final class Position {
    private final double[] logprobs;
    private final int[] byRank; // token ids, best first
    private final int[] rank; // rank[token], 1-based

    Position(float[] logits) {
      double max = Double.NEGATIVE_INFINITY;
      for (float l : logits) {
        max = Math.max(max, l);
      }
      double sum = 0;
      for (float l : logits) {
        sum += Math.exp(l - max);
      }
      double logSumExp = max + Math.log(sum);
      logprobs = new double[logits.length];
      for (int i = 0; i < logits.length; i++) {
        logprobs[i] = logits[i] - logSumExp;
      }
      byRank =
          IntStream.range(0, logits.length)
              .boxed()
              .sorted(
                  Comparator.<Integer>comparingDouble(token -> -logits[token])
                      .thenComparingInt(token -> token))
              .mapToInt(Integer::intValue)
              .toArray();
      rank = new int[logits.length];
      for (int r = 0; r < byRank.length; r++) {
        rank[byRank[r]] = r + 1;
      }
    }

    float logprob(int token) {
      return (float) logprobs[token];
    }

    /** The top n tokens plus {@code actual}, in rank order. */
    int[] topAnd(int n, int actual) {
      int[] top = IntStream.of(byRank).limit(n).toArray();
      return rank[actual] <= n
          ? top
          : IntStream.concat(IntStream.of(top), IntStream.of(actual)).toArray();
    }

    /** vLLM's prompt_logprobs entry: {"<id>": {logprob, rank, decoded_token}}. */
    JsonObject promptLogprobsEntry(int n, int actual) {
      JsonObject entry = new JsonObject();
      for (int token : topAnd(n, actual)) {
        entry.put(
            Integer.toString(token),
            new JsonObject()
                .put("logprob", logprob(token))
                .put("rank", rank[token])
                .put("decoded_token", tokenText(token, true)));
      }
      return entry;
    }

    /** The legacy top_logprobs entry: {"token_id:<id>": logprob}. */
    JsonObject topLogprobsEntry(int n, int actual, boolean tokenIds) {
      JsonObject entry = new JsonObject();
      for (int token : topAnd(n, actual)) {
        entry.put(tokenText(token, tokenIds), logprob(token));
      }
      return entry;
    }
  }
}
