package dev.tandem.loadtests;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The OpenAI-compatible streaming API over SSE ({@code /v1/completions}, or {@code
 * /v1/chat/completions} for chat lines) with {@code stream_options.include_usage}, read event by
 * event so that each token event is stamped when it arrives. Events carry text, not token counts:
 * each non-empty text event counts as one token event, and the final usage event gives the number
 * of completion tokens (TPOT's denominator).
 *
 * <p>Threading: responses are read on the Vert.x event loop that owns the connection.
 */
final class SseStreamingClient implements StreamingClient {

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http;
  private final String host;
  private final int port;

  SseStreamingClient(String target, int maxConnections) {
    URI uri = URI.create(target);
    host = uri.getHost();
    port = uri.getPort() > 0 ? uri.getPort() : 80;
    http =
        vertx
            .httpClientBuilder()
            .with(new HttpClientOptions().setKeepAlive(true))
            .with(new PoolOptions().setHttp1MaxSize(maxConnections))
            .build();
  }

  @Override
  public void stream(
      WorkloadMix.Request request, int maxTokensCap, StreamTimings timings, Consumer<String> done) {
    Buffer body = body(request, maxTokensCap).toBuffer();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(host)
            .setPort(port)
            .setURI(request.chat() ? "/v1/chat/completions" : "/v1/completions")
            .putHeader("content-type", "application/json")
            .putHeader("accept", "text/event-stream");
    http.request(options)
        .compose(r -> r.send(body))
        .onSuccess(response -> read(response, timings, done))
        .onFailure(
            e -> {
              timings.end(System.nanoTime(), -1);
              done.accept("request failed: " + e.getMessage());
            });
  }

  private static void read(
      HttpClientResponse response, StreamTimings timings, Consumer<String> done) {
    if (response.statusCode() != 200) {
      response
          .body()
          .onComplete(
              b -> {
                timings.end(System.nanoTime(), -1);
                String text = b.succeeded() ? b.result().toString(StandardCharsets.UTF_8) : "";
                done.accept("HTTP " + response.statusCode() + ": " + text);
              });
      return;
    }
    SseEvents events = new SseEvents();
    response.handler(
        chunk -> events.append(chunk.toString(StandardCharsets.UTF_8), System.nanoTime(), timings));
    response.exceptionHandler(
        e -> {
          timings.end(System.nanoTime(), -1);
          done.accept("stream failed: " + e.getMessage());
        });
    response.endHandler(
        v -> {
          timings.end(System.nanoTime(), events.completionTokens());
          done.accept(events.error());
        });
  }

  static JsonObject body(WorkloadMix.Request request, int maxTokensCap) {
    JsonObject line = request.line();
    JsonObject body =
        new JsonObject()
            .put("max_tokens", request.maxTokens(maxTokensCap))
            .put("temperature", line.getDouble("temperature", 0.0))
            .put("top_p", line.getDouble("top_p", 1.0))
            .put("seed", line.getLong("seed", 1L))
            .put("stream", true)
            .put("stream_options", new JsonObject().put("include_usage", true));
    if (line.getInteger("top_k", 0) > 0) {
      body.put("top_k", line.getInteger("top_k"));
    }
    if (request.chat()) {
      body.put("messages", line.getJsonArray("messages", new JsonArray()).copy());
    } else {
      body.put("prompt", line.getString("prompt"));
    }
    return body;
  }

  @Override
  public void close() {
    try {
      http.close().await(5, TimeUnit.SECONDS);
      vertx.close().await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not close the SSE client", e);
    }
  }
}
