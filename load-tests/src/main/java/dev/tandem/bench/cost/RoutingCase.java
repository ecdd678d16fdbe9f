package dev.tandem.bench.cost;

import dev.tandem.router.api.GenerationRequest.ChatMessage;
import dev.tandem.router.engine.ChatTemplate;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One workload prompt with its true continuation (fixtures/workloads/*.jsonl, field {@code
 * continuation}, added by tools/fixtures/add_continuations.py).
 *
 * @param id workload id
 * @param kind code, prose, repetitive or chat
 * @param text the rendered prompt (chat messages through the router's chat template)
 * @param continuation the held-out text that followed it
 * @param maxTokens the workload's max_tokens
 */
record RoutingCase(String id, String kind, String text, String continuation, int maxTokens) {

  static final List<String> KINDS = List.of("code", "prose", "repetitive", "chat");

  /** Every prompt of the mixed workload that has a continuation, in file order. */
  static List<RoutingCase> load(Path workloads) throws IOException {
    List<RoutingCase> cases = new ArrayList<>();
    for (String kind : KINDS) {
      for (String line : Files.readAllLines(workloads.resolve(kind + ".jsonl"))) {
        JsonObject o = new JsonObject(line);
        String continuation = o.getString("continuation");
        if (continuation == null) {
          continue;
        }
        cases.add(
            new RoutingCase(
                o.getString("id"), kind, text(o), continuation, o.getInteger("max_tokens", 64)));
      }
    }
    return cases;
  }

  private static String text(JsonObject o) {
    if (o.containsKey("prompt")) {
      return o.getString("prompt");
    }
    JsonArray messages = o.getJsonArray("messages");
    List<ChatMessage> chat = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonObject m = messages.getJsonObject(i);
      chat.add(new ChatMessage(m.getString("role"), m.getString("content")));
    }
    return ChatTemplate.render(chat);
  }
}
