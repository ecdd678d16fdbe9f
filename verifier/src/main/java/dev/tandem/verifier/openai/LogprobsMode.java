package dev.tandem.verifier.openai;

import java.util.Locale;

/**
 * How an OpenAI-compatible server is asked for the logprobs of the draft positions, which are part
 * of the request's prompt.
 */
public enum LogprobsMode {
  /**
   * vLLM's {@code prompt_logprobs: N} extension: {@code choices[0].prompt_logprobs} holds, per
   * prompt position, a map {@code {"<token id>": {logprob, rank, decoded_token}}} of the top N plus
   * the actual token.
   */
  PROMPT_LOGPROBS,

  /**
   * The legacy completions API's {@code echo: true} with {@code logprobs: N}: {@code
   * choices[0].logprobs} covers the prompt tokens followed by the generated one.
   */
  ECHO;

  /** The config spelling: {@code prompt_logprobs} or {@code echo}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Reads the config spelling.
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static LogprobsMode parse(String value) {
    for (LogprobsMode mode : values()) {
      if (mode.configName().equals(value)) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "logprobs_mode must be prompt_logprobs or echo, got " + value);
  }
}
