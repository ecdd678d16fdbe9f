package dev.tandem.bench.router;

import dev.tandem.proto.v1.ChatMessage;
import dev.tandem.proto.v1.ChatMessages;
import dev.tandem.proto.v1.GenerateRequest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSONL workload from {@code fixtures/workloads/}: one request per line ({@code id}, {@code
 * prompt} or {@code messages}, {@code max_tokens}, {@code temperature}, {@code top_p}, {@code
 * top_k}, {@code seed}).
 */
public record Workload(String name, List<GenerateRequest> requests) {

  static Workload load(Path file, int limit) throws IOException {
    List<GenerateRequest> requests = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank() || requests.size() >= limit) {
        continue;
      }
      requests.add(request(new JsonObject(line)));
    }
    String name = file.getFileName().toString().replace(".jsonl", "");
    return new Workload(name, requests);
  }

  private static GenerateRequest request(JsonObject line) {
    GenerateRequest.Builder r =
        GenerateRequest.newBuilder()
            .setMaxTokens(line.getInteger("max_tokens", 64))
            .setTemperature(line.getFloat("temperature", 0f))
            .setTopP(line.getFloat("top_p", 1f))
            .setTopK(line.getInteger("top_k", 0))
            .setSeed(line.getLong("seed", 1L))
            .setReturnTokenIds(true);
    if (line.containsKey("messages")) {
      ChatMessages.Builder messages = ChatMessages.newBuilder();
      line.getJsonArray("messages")
          .forEach(
              m -> {
                JsonObject message = (JsonObject) m;
                messages.addMessages(
                    ChatMessage.newBuilder()
                        .setRole(message.getString("role"))
                        .setContent(message.getString("content")));
              });
      r.setMessages(messages);
    } else {
      r.setPrompt(line.getString("prompt"));
    }
    return r.build();
  }
}
