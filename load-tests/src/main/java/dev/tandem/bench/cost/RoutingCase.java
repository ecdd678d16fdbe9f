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
 * One prompt with its true continuation: a line of the fixture workloads
 * (fixtures/workloads/*.jsonl, field {@code continuation}, added by
 * tools/fixtures/add_continuations.py) or of the routing evaluation set (fixtures/routing/*.jsonl,
 * made by tools/fixtures/make_routing_set.py).
 *
 * @param id the line's id
 * @param kind code, prose, repetitive or chat (the file it came from)
 * @param line its position in that file (0-based), which fixes the train/test split
 * @param text the rendered prompt (chat messages through the router's chat template)
 * @param continuation the held-out text that followed it
 * @param maxTokens the line's max_tokens
 */
record RoutingCase(
    String id, String kind, int line, String text, String continuation, int maxTokens) {

  static final List<String> KINDS = List.of("code", "prose", "repetitive", "chat");

  /** Every prompt of the four kinds' files under {@code dir} that has a continuation. */
  static List<RoutingCase> load(Path dir) throws IOException {
    List<RoutingCase> cases = new ArrayList<>();
    for (String kind : KINDS) {
      List<String> lines = Files.readAllLines(dir.resolve(kind + ".jsonl"));
      for (int i = 0; i < lines.size(); i++) {
        JsonObject o = new JsonObject(lines.get(i));
        String continuation = o.getString("continuation");
        if (continuation == null) {
          continue;
        }
        cases.add(
            new RoutingCase(
                o.getString("id"), kind, i, text(o), continuation, o.getInteger("max_tokens", 64)));
      }
    }
    return cases;
  }

  /**
   * The routing set's test split: lines 3 and 4 of every 5 in each file (40 %, every kind in
   * proportion); the estimator is fitted on the others.
   */
  boolean isTest() {
    return line % 5 >= 3;
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
