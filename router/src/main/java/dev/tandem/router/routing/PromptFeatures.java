package dev.tandem.router.routing;

/**
 * Cheap features of a prompt's text, computed in one pass: no model involved. Stateless.
 *
 * <ul>
 *   <li>{@link #codeDensity}: code markers (brackets, operators, {@code def}/{@code return}-style
 *       keywords, indentation) per character;
 *   <li>{@link #questionScore}: question structure (question marks, interrogative openers,
 *       imperative asks such as "explain" or "write");
 *   <li>{@link #chatTurn}: 1 when the prompt is a rendered chat (the router's chat template: a
 *       {@code System:} or {@code User:} turn first, an open {@code Assistant:} turn last), else 0;
 *   <li>{@link #logLength}: log(1 + tokens).
 * </ul>
 */
public final class PromptFeatures {

  private static final String[] CODE_WORDS = {
    "def ", "return", "import ", "class ", "self.", "lambda", "elif ", "None", "#include", "{", "};"
  };
  private static final String[] ASKS = {
    "what ",
    "how ",
    "why ",
    "which ",
    "when ",
    "explain",
    "write ",
    "summarize",
    "describe",
    "continue "
  };

  private PromptFeatures() {}

  public static double codeDensity(String text) {
    if (text.isEmpty()) {
      return 0;
    }
    int markers = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ("(){}[]=:;<>_".indexOf(c) >= 0) {
        markers++;
      }
      if (c == '\n' && text.startsWith("    ", i + 1)) {
        markers += 2;
      }
    }
    for (String word : CODE_WORDS) {
      for (int at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
        markers += 3;
      }
    }
    return (double) markers / text.length();
  }

  public static double questionScore(String text) {
    String lower = text.toLowerCase(java.util.Locale.ROOT);
    double score = 0;
    for (int at = lower.indexOf('?'); at >= 0; at = lower.indexOf('?', at + 1)) {
      score += 1;
    }
    for (String ask : ASKS) {
      if (lower.contains(ask)) {
        score += 1;
      }
    }
    return score;
  }

  public static double chatTurn(String text) {
    boolean opens = text.startsWith("System: ") || text.startsWith("User: ");
    return opens && text.endsWith("Assistant:") ? 1 : 0;
  }

  public static double logLength(int tokens) {
    return Math.log1p(tokens);
  }
}
