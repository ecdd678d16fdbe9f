package dev.tandem.verifier.openai;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the logprobs Tandem needs out of a {@code /v1/completions} response in vLLM's shape, and
 * rejects anything else with a {@link BackendResponseException} that names the endpoint and the
 * field that was wrong.
 *
 * <p>Shapes read ({@code L} = tokens sent, {@code k} = draft tokens among them):
 *
 * <ul>
 *   <li>always: {@code choices[0].logprobs.tokens} and {@code .top_logprobs}, whose last entries
 *       are the generated token ({@code "token_id:123"}, as {@code return_tokens_as_token_ids}
 *       renders it) and its position's top-N map {@code {"token_id:123": logprob}};
 *   <li>{@code prompt_logprobs} mode: {@code choices[0].prompt_logprobs}, {@code L} entries (the
 *       first {@code null}), each {@code {"123": {"logprob": -0.1, "rank": 1, ...}}};
 *   <li>{@code echo} mode: {@code choices[0].logprobs} has {@code L + 1} entries, prompt first.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class CompletionResponseParser {

  private static final String TOKEN_ID_PREFIX = "token_id:";

  private final String endpoint;
  private final int topN;

  /**
   * @param endpoint named in error messages
   * @param topN entries kept per position
   */
  CompletionResponseParser(String endpoint, int topN) {
    this.endpoint = endpoint;
    this.topN = topN;
  }

  /**
   * @param sequence the tokens that were sent
   * @param draftCount how many of them, at the end, are draft tokens to score (0: none asked for)
   */
  ScoredSequence parse(JsonObject body, LogprobsMode mode, int[] sequence, int draftCount) {
    JsonObject choice = choice(body);
    JsonObject logprobs = object(choice, "logprobs", "choices[0]");
    JsonArray tokens = array(logprobs, "tokens", "choices[0].logprobs");
    JsonArray top = array(logprobs, "top_logprobs", "choices[0].logprobs");
    if (tokens.isEmpty() || tokens.size() != top.size()) {
      throw malformed(
          "choices[0].logprobs must have as many tokens as top_logprobs, at least one; got "
              + tokens.size()
              + " and "
              + top.size());
    }
    int last = tokens.size() - 1;
    String where = "choices[0].logprobs.tokens[" + last + "]";
    int generatedToken = tokenId(stringAt(tokens, last, where), where);
    TopLogprobs generatedRow =
        row(top.getValue(last), "choices[0].logprobs.top_logprobs[" + last + "]");
    TopLogprobs[] draftRows = new TopLogprobs[draftCount];
    if (draftCount > 0) {
      int firstDraft = sequence.length - draftCount;
      if (mode == LogprobsMode.PROMPT_LOGPROBS) {
        JsonArray prompt = promptLogprobs(choice, sequence.length);
        for (int i = 0; i < draftCount; i++) {
          int position = firstDraft + i;
          draftRows[i] =
              row(prompt.getValue(position), "choices[0].prompt_logprobs[" + position + "]");
        }
      } else {
        requireEcho(tokens, sequence, firstDraft);
        for (int i = 0; i < draftCount; i++) {
          int position = firstDraft + i;
          draftRows[i] =
              row(top.getValue(position), "choices[0].logprobs.top_logprobs[" + position + "]");
        }
      }
    }
    return new ScoredSequence(draftRows, generatedRow, generatedToken);
  }

  private JsonObject choice(JsonObject body) {
    if (!(body.getValue("choices") instanceof JsonArray choices) || choices.isEmpty()) {
      throw malformed("the response has no choices[0]");
    }
    if (!(choices.getValue(0) instanceof JsonObject choice)) {
      throw malformed("choices[0] must be an object, got " + choices.getValue(0));
    }
    return choice;
  }

  private JsonArray promptLogprobs(JsonObject choice, int sequenceLength) {
    if (!(choice.getValue("prompt_logprobs") instanceof JsonArray prompt)) {
      throw malformed(
          "choices[0].prompt_logprobs is missing: the server must support vLLM's prompt_logprobs"
              + " (or configure logprobs_mode: echo)");
    }
    if (prompt.size() != sequenceLength) {
      throw malformed(
          "choices[0].prompt_logprobs must have one entry per prompt token ("
              + sequenceLength
              + "), got "
              + prompt.size());
    }
    return prompt;
  }

  /** Echo mode: the prompt comes back before the generated token, and its drafts are ours. */
  private void requireEcho(JsonArray tokens, int[] sequence, int firstDraft) {
    if (tokens.size() != sequence.length + 1) {
      throw malformed(
          "choices[0].logprobs must cover the "
              + sequence.length
              + " prompt tokens and the generated one with echo: true, got "
              + tokens.size()
              + " entries (does the server support echo with logprobs?)");
    }
    for (int position = firstDraft; position < sequence.length; position++) {
      String where = "choices[0].logprobs.tokens[" + position + "]";
      int echoed = tokenId(stringAt(tokens, position, where), where);
      if (echoed != sequence[position]) {
        throw malformed(
            where + " echoes token " + echoed + ", but " + sequence[position] + " was sent");
      }
    }
  }

  /** One position's map of token to logprob (or to {logprob, rank, ...}), best top-N kept. */
  private TopLogprobs row(Object value, String where) {
    if (!(value instanceof JsonObject entries) || entries.isEmpty()) {
      throw malformed(where + " must be a non-empty map of token to logprob, got " + value);
    }
    List<TopLogprobs.Candidate> candidates = new ArrayList<>(entries.size());
    for (Map.Entry<String, Object> entry : entries) {
      String at = where + "[\"" + entry.getKey() + "\"]";
      int token = tokenId(entry.getKey(), at);
      Object logprob = entry.getValue();
      int rank = Integer.MAX_VALUE;
      if (logprob instanceof JsonObject detail) {
        logprob = detail.getValue("logprob");
        if (detail.getValue("rank") instanceof Number r) {
          rank = r.intValue();
        }
      }
      if (!(logprob instanceof Number number) || Double.isNaN(number.doubleValue())) {
        throw malformed(at + " must be a logprob (a number), got " + logprob);
      }
      candidates.add(new TopLogprobs.Candidate(token, number.floatValue(), rank));
    }
    return TopLogprobs.best(candidates, topN);
  }

  /**
   * {@code "token_id:123"} (return_tokens_as_token_ids) or {@code "123"} (prompt_logprobs keys).
   */
  private int tokenId(String text, String where) {
    String digits =
        text.startsWith(TOKEN_ID_PREFIX) ? text.substring(TOKEN_ID_PREFIX.length()) : text;
    try {
      int id = Integer.parseInt(digits);
      if (id >= 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw malformed(
        where
            + " must be a token id (\"token_id:123\"; the server must honour"
            + " return_tokens_as_token_ids), got \""
            + text
            + "\"");
  }

  private String stringAt(JsonArray array, int index, String where) {
    if (!(array.getValue(index) instanceof String text)) {
      throw malformed(where + " must be a string, got " + array.getValue(index));
    }
    return text;
  }

  private JsonObject object(JsonObject parent, String field, String where) {
    if (!(parent.getValue(field) instanceof JsonObject child)) {
      throw malformed(
          where + "." + field + " is missing or not an object (does the server return logprobs?)");
    }
    return child;
  }

  private JsonArray array(JsonObject parent, String field, String where) {
    if (!(parent.getValue(field) instanceof JsonArray child)) {
      throw malformed(where + "." + field + " is missing or not a list");
    }
    return child;
  }

  private BackendResponseException malformed(String what) {
    return new BackendResponseException(200, "POST " + endpoint + ": " + what);
  }
}
