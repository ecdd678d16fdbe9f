package dev.tandem.router.engine;

import dev.tandem.router.api.GenerationRequest.ChatMessage;
import java.util.List;

/**
 * Renders chat messages into the prompt text the fixture models were trained to continue: one
 * paragraph per message headed by its role, then an open {@code Assistant:} turn. Base models have
 * no chat template of their own; this one is plain text so that any tokenizer can encode it.
 * Stateless.
 */
public final class ChatTemplate {

  private ChatTemplate() {}

  public static String render(List<ChatMessage> messages) {
    StringBuilder prompt = new StringBuilder();
    for (ChatMessage m : messages) {
      prompt.append(heading(m.role())).append(": ").append(m.content()).append("\n\n");
    }
    return prompt.append("Assistant:").toString();
  }

  private static String heading(String role) {
    return switch (role) {
      case "system" -> "System";
      case "assistant" -> "Assistant";
      default -> "User";
    };
  }
}
