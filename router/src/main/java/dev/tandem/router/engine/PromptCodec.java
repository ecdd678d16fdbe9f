package dev.tandem.router.engine;

import java.util.Set;

/** A tier's tokenizer as the engine needs it. Implementations are thread-safe. */
public interface PromptCodec {

  /**
   * Text → token ids, without special tokens. May take a while for long text: not on an event loop.
   */
  int[] encode(String text);

  /** The raw bytes a token stands for (what the incremental detokenizer consumes). */
  byte[] tokenBytes(int token);

  /** Tokens that end generation. */
  Set<Integer> eosTokens();

  /** Token prepended to every prompt, or -1 for none. */
  int bosToken();
}
