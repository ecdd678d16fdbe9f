package dev.tandem.loadtests;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Splits an OpenAI-style SSE stream into events as its bytes arrive (events may span network
 * chunks, and one chunk may hold several), stamping each event that carries text into a {@link
 * StreamTimings}. Knows {@code data: [DONE]}, the usage event and error events.
 *
 * <p>Not thread-safe: one stream's bytes arrive on one thread.
 */
final class SseEvents {

  private final StringBuilder pending = new StringBuilder();
  private int completionTokens = -1;
  private String error;
  private boolean done;

  /** Feeds the next bytes of the stream (as text), received at {@code nanos}. */
  void append(String text, long nanos, StreamTimings timings) {
    pending.append(text);
    for (int end; (end = pending.indexOf("\n\n")) >= 0; ) {
      String event = pending.substring(0, end);
      pending.delete(0, end + 2);
      for (String line : event.split("\n")) {
        if (line.startsWith("data:")) {
          data(line.substring(5).trim(), nanos, timings);
        }
      }
    }
  }

  private void data(String data, long nanos, StreamTimings timings) {
    if (data.equals("[DONE]")) {
      done = true;
      return;
    }
    JsonObject event;
    try {
      event = new JsonObject(data);
    } catch (DecodeException e) {
      error = "malformed SSE data: " + data;
      return;
    }
    if (event.containsKey("error")) {
      JsonObject e = event.getJsonObject("error", new JsonObject());
      error = "stream error: " + e.getString("message", event.encode());
      return;
    }
    JsonObject usage = event.getJsonObject("usage");
    if (usage != null) {
      completionTokens = usage.getInteger("completion_tokens", -1);
    }
    JsonArray choices = event.getJsonArray("choices", new JsonArray());
    if (!choices.isEmpty() && !text(choices.getJsonObject(0)).isEmpty()) {
      timings.tokens(nanos, 1);
    }
  }

  private static String text(JsonObject choice) {
    if (choice.containsKey("text")) {
      return choice.getString("text", "");
    }
    JsonObject delta = choice.getJsonObject("delta", new JsonObject());
    String content = delta.getString("content");
    return content == null ? "" : content;
  }

  /** Completion tokens from the usage event, or -1 when none came. */
  int completionTokens() {
    return completionTokens;
  }

  /** What went wrong, or null for a complete stream ending in {@code [DONE]}. */
  String error() {
    if (error != null) {
      return error;
    }
    return done ? null : "the stream ended without data: [DONE]";
  }
}
